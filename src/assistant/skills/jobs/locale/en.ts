import type { SkillLocale } from '../../../skill.js';

const JOB = '(job|task|jobs|tasks)';
const SENT = '(sent|sent you|sent the hub|uploaded|gave you)';

export const en: SkillLocale = {
  description: 'transcribe the recording you just sent, and tell you how your jobs are doing or cancel them',
  intents: {
    'transcribe.intent': [
      `transcribe the (file|recording|audio|wav) [that] i [just] ${SENT}`,
      'transcribe my (last|latest|newest) (file|recording|audio|wav)',
      'transcribe [my|the] (file|recording|audio)',
      `what does the (file|recording|audio) [that] i [just] ${SENT} say`,
      '(write down|type out|turn into text) [the|my] (file|recording|audio) [that] i [just] (sent|uploaded)',
    ],
    'status.intent': [
      `(how|what) is my ${JOB} doing`,
      `how is my ${JOB} (going|coming along|getting on)`,
      `how are my ${JOB} (doing|going)`,
      `(what is|what's) the (status|progress) of my ${JOB}`,
      `is my ${JOB} (done|finished|ready) [yet]`,
      `(check on|check) my ${JOB}`,
      `how far (along is|is) my ${JOB}`,
    ],
    'cancel.intent': [
      `(cancel|stop|abort|kill) my ${JOB}`,
      `(cancel|stop|abort) the ${JOB}`,
      `i (do not|no longer) need my ${JOB} [anymore]`,
    ],
  },
  dialogs: {
    kind_speak: ['speech'],
    kind_transcribe: ['transcription'],
    kind_image: ['image'],
    kind_archive: ['archive'],
    transcribed: ['{name} says: {text}'],
    transcribed_silent: ['I could not make out any words in {name}.'],
    transcribing: ['I am transcribing {name}. Ask me how your job is doing in a moment.'],
    no_recording: ['You have not sent me a recording yet. Send a WAV file first.'],
    status_queued: ['Your {kind} job is waiting to start.'],
    status_running: ['Your {kind} job is {progress} percent done.'],
    status_running_message: ['Your {kind} job is {progress} percent done: {message}.'],
    status_done: ['Your {kind} job is done.'],
    status_done_text: ['Your {kind} job is done. It says: {text}'],
    status_done_silent: ['Your {kind} job is done, but I could not make out any words.'],
    status_failed: ['Your {kind} job failed: {reason}'],
    status_cancelled: ['Your {kind} job was cancelled.'],
    no_jobs: ['You have no jobs.'],
    cancelled: ['I have cancelled your {kind} job.'],
    nothing_to_cancel: ['You have no job waiting or running to cancel.'],
    unreachable: ["Sorry, I can't reach the hub's jobs right now."],
    failed: ['Sorry, that did not work: {reason}'],
  },
};
