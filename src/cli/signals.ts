/**
 * Shutdown signals for the long-running commands (hub, bus, assistant, satellite).
 *
 * @module
 */

/** Resolves on the first SIGINT or SIGTERM; `dispose` removes the listeners. */
export function untilSignal(): { signalled: Promise<NodeJS.Signals>; dispose: () => void } {
  let onSignal: (signal: NodeJS.Signals) => void = () => {};
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = resolve;
  });
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signalled,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
