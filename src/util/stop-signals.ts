// The signals that mean "the user gave up" on a NoFear command (Ctrl-C, a kill, the terminal closing):
// one list and one way to listen, so that every command stops its VMs on the same ones.
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Calls `onStop` on each stop signal until the returned function is called (then Node's defaults apply again). */
export function onStopSignals(onStop: (signal: NodeJS.Signals) => void): () => void {
  for (const signal of STOP_SIGNALS) process.on(signal, onStop);
  return () => {
    for (const signal of STOP_SIGNALS) process.off(signal, onStop);
  };
}
