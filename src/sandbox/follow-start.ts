// A sandbox's start followed for the service's manager, the same for every producer (a cold open or run,
// a warm VM's open): its steps, `running`, its end after clean-up, and a stop that, before the sandbox
// exists, aborts the start wherever it has got to instead of waiting for the boot.
import { NoFearError } from '../errors.js';
import type { LaunchStep, StepTracker } from '../gui/step-tracker.js';
import type { SavedAttachment } from '../open/attachment-export.js';
import type { OpenPlan } from '../open/open-plan.js';
import { NOFEAR_FAILURE as FAILURE_STATUS, STOPPED_STATUS } from '../util/exit-status.js';
import type { OpenSession, WritableCopy } from './open-file.js';
import type { Sandbox } from './sandbox.js';
import { exitStatusOf, type ConversionOutcome, type SandboxOutcome } from './sandbox-outcome.js';

/** Where a caller's windows go: its own display, when it says which. */
export interface CallerDisplay {
  DISPLAY?: string;
  XAUTHORITY?: string;
  WAYLAND_DISPLAY?: string;
}

/** An open of a copy the guest may write (--edit through the service): the copy, and what follows the VM's end. */
export interface EditLaunch {
  copy: WritableCopy;
  /** Once everything of the VM is gone: the changed copy decided on (it may wait for the user). */
  afterEnd(): Promise<void>;
}

export type LaunchSpec =
  | { kind: 'run'; argv: string[]; gui: boolean; profile?: string; net?: 'none' | 'user'; sharedFolder?: string; display?: CallerDisplay }
  | { kind: 'open-plan'; plan: OpenPlan; display?: CallerDisplay; notify?: boolean; edit?: EditLaunch; onAttachment?: (saved: SavedAttachment) => void };

/** How a sandbox ended: its exit status, and whether NoFear itself failed (not the guest's status). */
export interface SandboxEnd {
  status: number;
  failed: boolean;
}

export interface LaunchedSandbox {
  id: string;
  profile: string;
  command: string[];
  files: string[];
  startedAt: Date;
  /** An open whose progress the service shows as a notification (callers that show their own say no). */
  notifies: boolean;
  /** The last step reached, and each step's time in ms after startedAt. */
  readonly step: LaunchStep;
  readonly steps: Readonly<Partial<Record<LaunchStep, number>>>;
  /** The X id of its first window on the host display; 0 before the window step. */
  readonly windowId: number;
  /** Hears each step as it is reached. */
  onStep(listener: (step: LaunchStep) => void): void;
  /** Resolves when the job runs (for a window: the client attached); rejects with the start's error, or StoppedBeforeRunning after a stop. */
  running: Promise<void>;
  /** The exit status (the guest's; 128+N for a signal; 143 when stopped; 125 for NoFear's own failure), after clean-up. */
  ended: Promise<SandboxEnd>;
  /** Powers the guest off (QEMU killed after a deadline), or aborts its start wherever it has got to; `ended` settles after. */
  stop(): Promise<void>;
  /** QEMU's jail process, once it runs. */
  qemuPid(): number | undefined;
  /** Once its job runs: the VM runs `argv` beside it (a second link for its browser); true once the guest said it did. */
  launchBeside?(argv: readonly string[]): Promise<boolean>;
  /** A link VM: its shape and last link's time written to its record (for nofear-open --dry-run). */
  noteLink?(shape: string, lastLinkAt: number): Promise<void>;
  /** A conversion's outcome, filled in before `ended` settles; absent for any other sandbox. */
  readonly converted?: ConversionOutcome;
}

/** A producer's start: the sandbox once its job runs (with its session, for an open or a GUI run). */
export type Started = Promise<{ sandbox: Sandbox; session?: OpenSession }>;

export function endOf(outcome: SandboxOutcome): SandboxEnd {
  return { status: exitStatusOf(outcome), failed: outcome.kind === 'failed' };
}

const RAN = [() => true, () => false] as const; // `running`'s outcome as a boolean: whether the job runs

/**
 * `running`'s rejection when a stop came before the job ran (Stop, nofearctl stop, StopAll, the notice's
 * Stop): nothing failed, so nothing is reported as a failure; the sandbox ends as stopped (143).
 */
export class StoppedBeforeRunning extends NoFearError {
  constructor(cause?: unknown) {
    super('Failed', 'Stopped before it started, as asked.', cause === undefined ? {} : { cause });
    this.name = 'StoppedBeforeRunning';
  }
}

const STOPPED_END: SandboxEnd = { status: STOPPED_STATUS, failed: false };

/** What a producer gives followStart: the meta the manager reads beside the sandbox. */
export interface FollowedMeta {
  id: string;
  profile: string;
  command: string[];
  plan: OpenPlan | undefined;
  spec: LaunchSpec;
  progress: StepTracker;
}

/**
 * A sandbox's start as the manager sees it: its steps, running, its end after clean-up, stop. `start` is
 * given the signal a stop aborts while the sandbox does not exist yet (boot, the guest's server, the client
 * attaching): the start then ends wherever it has got to, having removed what it made, and the sandbox
 * ends as stopped. Once the sandbox exists, a stop powers it off.
 */
export function followStart(start: (abort: AbortSignal) => Started, meta: FollowedMeta): LaunchedSandbox {
  const { progress, plan, spec } = meta;
  const abort = new AbortController();
  const started = start(abort.signal);
  let sandbox: Sandbox | undefined;
  let stopRequested = false;
  const running = started.then(
    (value) => {
      sandbox = value.sandbox;
      if (!stopRequested) return;
      // The stop came too late to abort the start (it had just ended): the sandbox is stopped now instead.
      void value.sandbox.stop();
      throw new StoppedBeforeRunning();
    },
    (error: unknown) => {
      throw stopRequested ? new StoppedBeforeRunning(error) : error;
    },
  );
  running.catch(() => undefined); // observed through `ended` too
  const edit = spec.kind === 'open-plan' ? spec.edit : undefined;
  const ended = started.then(
    ({ sandbox: box, session }) => endAfterCleanUp(box, session, edit),
    // A rejected start has removed what it made (the VM, its directory, the client, the copy) before rejecting.
    (): SandboxEnd => (stopRequested ? STOPPED_END : { status: FAILURE_STATUS, failed: true }),
  );
  return launched({
    id: meta.id,
    profile: meta.profile,
    command: meta.command,
    files: plan !== undefined ? [plan.file] : [],
    notifies: plan !== undefined && (spec.kind === 'run' || spec.notify !== false),
    progress,
    running,
    ended,
    stop: async () => {
      stopRequested = true;
      if (sandbox !== undefined) await sandbox.stop();
      else abort.abort(new StoppedBeforeRunning());
      await ended;
    },
    qemuPid: () => sandbox?.qemuPid,
    launchBeside: async (argv) => (await running.then(...RAN)) && sandbox !== undefined && !stopRequested && sandbox.launchBeside(argv),
    noteLink: async (shape, lastLinkAt) => void ((await running.then(...RAN)) && (await sandbox?.noteLink(shape, lastLinkAt))),
  });
}

/** What differs between the producers of a launched sandbox (an open, a run, a conversion); `launched` builds the rest. */
export type LaunchedParts = Pick<LaunchedSandbox, 'id' | 'profile' | 'command' | 'files' | 'notifies' | 'running' | 'ended' | 'stop' | 'qemuPid' | 'converted' | 'launchBeside' | 'noteLink'> & {
  progress: StepTracker;
};

/** The one adapter every producer hands the manager: its start time, steps, window and step listeners read from its StepTracker. */
export function launched(parts: LaunchedParts): LaunchedSandbox {
  const { progress, ...rest } = parts;
  return {
    ...rest,
    startedAt: progress.startedAt,
    get step() {
      return progress.step;
    },
    get steps() {
      return progress.steps;
    },
    get windowId() {
      return progress.windowId;
    },
    onStep: (listener) => progress.listen(listener),
  };
}

/** How the sandbox ended, once everything of its VM is gone (and, with --edit, once the copy is settled). */
async function endAfterCleanUp(box: Sandbox, session: OpenSession | undefined, edit: EditLaunch | undefined): Promise<SandboxEnd> {
  const outcome = session !== undefined ? await session.finished : await box.outcome;
  const end = endOf(outcome);
  await box.dispose(end.status);
  // The VM is gone; the decision about an edited copy may wait for the user (bounded by the asker).
  if (session?.edit !== undefined) await edit?.afterEnd();
  return end;
}
