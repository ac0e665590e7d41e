// A launched sandbox with no VM behind it, for the service's bookkeeping tests (admission, the manager,
// background jobs): the test drives its life.
import { FAILURE_STATUS, StoppedBeforeRunning, STOPPED_STATUS, type LaunchedSandbox, type SandboxEnd } from '../../src/sandbox/launch.js';

/** A launched sandbox whose life the test drives: run(), end(status), fail(), stopBeforeRunning(). */
export function standInSandbox(id: string) {
  let finish: (end: SandboxEnd) => void = () => {};
  let run: () => void = () => {};
  let refuse: (error: Error) => void = () => {};
  const ended = new Promise<SandboxEnd>((resolve) => {
    finish = resolve;
  });
  // The guest's own status: never a NoFear failure, whatever the number.
  const end = (status: number) => finish({ status, failed: false });
  const running = new Promise<void>((resolve, reject) => {
    run = resolve;
    refuse = reject;
  });
  running.catch(() => undefined);
  const fail = (error: Error) => {
    refuse(error);
    finish({ status: FAILURE_STATUS, failed: true });
  };
  // What launch() does with a stop that comes before the job runs: the start aborted, ended as stopped.
  const stopBeforeRunning = () => {
    refuse(new StoppedBeforeRunning());
    finish({ status: STOPPED_STATUS, failed: false });
  };
  const handle: LaunchedSandbox = {
    id,
    profile: 'temporary',
    command: ['true'],
    files: [],
    startedAt: new Date(1_700_000_000_123),
    running,
    ended,
    notifies: false,
    step: 'booting',
    steps: { booting: 0 },
    windowId: 0,
    onStep: () => {},
    stop: async () => {
      end(143);
      await ended;
    },
    qemuPid: () => undefined,
  };
  return { handle, run, end, fail, stopBeforeRunning };
}
