/**
 * The message types of the standard assistant turns of docs/PROTOCOL.md §B3.4, after the utterance itself: what a
 * bus watcher sees when an intent handles an utterance (A), and how a turn nobody handles ends (B). The unit tests
 * of the pipeline and the test of the `hivelink assistant` process expect the same sequences.
 */

/** The types of a turn handled by the intent `intentType` of `skillId`: activate, intent, handler start…handled. */
export function intentTurn(skillId: string, intentType: string): string[] {
  return [
    `${skillId}.activate`,
    intentType,
    'mycroft.skill.handler.start',
    'speak',
    'mycroft.skill.handler.complete',
    'ovos.utterance.handled',
  ];
}

/** The end of every turn no skill handles: the error sound, complete_intent_failure, handled. */
export const FAILURE_TAIL: readonly string[] = Object.freeze([
  'mycroft.audio.play_sound',
  'complete_intent_failure',
  'ovos.utterance.handled',
]);
