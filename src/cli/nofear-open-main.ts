// nofear-open: open files (or web addresses) safely, each in its own throwaway VM with the usual viewer.
import path from 'node:path';
import { invalidArgument, NoFearError } from '../errors.js';
import { noticeWriter, signalStatus } from './cli-exit.js';
import { parseOpenArgs, type OpenArgs } from './nofear-open-args.js';
import { answeredHelpOrVersion } from './version.js';
import { accelOfConfig, formatProblem, loadConfig, type Config } from '../config/index.js';
import { usualWindowMs } from '../vm/timings.js';
import { planOpen, planUrl, type OpenPlan } from '../open/open-plan.js';
import { classifyTarget } from '../open/target.js';
import { openInSandbox } from '../sandbox/open-file.js';
import { withSandbox } from '../sandbox/sandbox.js';
import { reachDisplay } from '../gui/display-check.js';
import type { SandboxOutcome } from '../sandbox/sandbox-outcome.js';
import { failed, handled, planEach, type FailedOutcome, type TargetOutcome } from '../util/batch-outcome.js';
import { reportBatch, stderrIsTerminal } from './batch-report.js';
import { IN_PROCESS_NOTICE } from './open-texts.js';
import { openThroughService } from './open-via-service.js';
import { desktopProgress, NO_PROGRESS, type FollowedOpen, type OpenProgress } from './desktop-progress.js';
import type { GuiOptions } from '../sandbox/gui-session.js';
import { StatusLine } from './status-line.js';
import { convertCommand } from './open-convert.js';
import { downloadsDecider, editDecider, settleDownloads, settleEdit, type DownloadsDecider, type EditDecider } from './open-edit.js';
import { EditSession } from '../edit/edit-session.js';
import { LinkDownloads } from '../edit/link-downloads.js';
import { followCliAttachments } from './open-attachments.js';
import { probeXpra, unknownXpraError } from '../gui/xpra-probe.js';
import { safeViewCommand } from './open-safe-view.js';
import { launchNativeArgv } from '../integrate/native-launch.js';
import { onStopSignals } from '../util/stop-signals.js';
import { dryRunText, goesThroughService } from './open-dry-run.js';

/** Each target planned on its own: its plan, or its failure (told with the batch's others at the end). */
async function planTargets(args: OpenArgs, config: Config): Promise<(OpenPlan | FailedOutcome)[]> {
  const planned = await planEach(
    args.targets,
    (target) => target,
    (target) => {
      const kind = classifyTarget(target);
      if (kind.kind === 'url' && args.edit) throw invalidArgument(`--edit takes files, not web addresses (${target}).`, 'download it first, then edit the file');
      if (kind.kind === 'url') return planUrl(kind.url, kind.scheme, { viewer: args.viewer, trusted: config.links.trusted });
      return planOpen(path.resolve(kind.path), { viewer: args.viewer, maxFileSizeBytes: config.open.maxFileSizeBytes });
    },
  );
  if (args.net === 'user') for (const entry of planned) if (isPlan(entry)) entry.net = 'user';
  if (args.sound !== undefined) for (const entry of planned) if (isPlan(entry)) entry.sound = args.sound;
  return planned;
}

/** A target's plan, or what became of it already (a failure, or a trusted link opened on the host). */
type Entry = OpenPlan | TargetOutcome;

const isPlan = (entry: Entry): entry is OpenPlan => !('kind' in entry && (entry.kind === 'failed' || entry.kind === 'handled'));

/** Links in [links] trusted open in the host's own browser at once (never xdg-open: that is NoFear); the rest stay plans. */
async function openTrustedLinks(planned: readonly Entry[], args: OpenArgs): Promise<Entry[]> {
  return Promise.all(
    planned.map(async (entry) => {
      if (!isPlan(entry) || entry.trustedBy === undefined) return entry;
      try {
        await launchNativeArgv(entry.argv, entry.viewer, process.env);
      } catch (error) {
        return failed(entry.file, error);
      }
      if (!args.quiet) process.stderr.write(`nofear-open: ${entry.file}: trusted ([links] trusted = ${entry.trustedBy}): opened in ${entry.viewerName} on this computer, without a VM\n`);
      return handled(entry.file);
    }),
  );
}

interface InProcess {
  config: Config;
  args: OpenArgs;
  status: StatusLine;
  warn: (line: string) => void;
  verbose: ((line: string) => void) | undefined;
  abort: AbortSignal;
  stops: (() => Promise<void>)[];
  /** --edit: who decides about a changed copy. */
  decider: EditDecider | undefined;
  /** Links: who decides whether a link VM's downloads are kept. */
  downloads: DownloadsDecider | undefined;
  /** From the desktop (no terminal): each open's progress as a notification, as the service shows it. */
  progress: OpenProgress;
}

/** Why a sandbox ended before its window, in NoFear's words. */
function endedBeforeWindow(plan: OpenPlan, outcome: SandboxOutcome): NoFearError {
  const why = outcome.kind === 'failed' ? outcome.reason : outcome.kind === 'stopped' ? 'it was stopped' : `${plan.viewerName} ended with status ${outcome.status}`;
  return new NoFearError('Failed', `${plan.file} was not opened: the sandbox ended before a window appeared (${why}).`, { fix: `nofear-open --verbose ${JSON.stringify(plan.file)}` });
}

/** This open's own stop (its notification's Stop), also aborted by the batch's (Ctrl-C, a signal): mid-boot it kills the VM. */
function openingAbort(batch: AbortSignal): { opening: AbortController; detach: () => void } {
  const opening = new AbortController();
  const abortOpening = () => opening.abort();
  if (batch.aborted)
    opening.abort(); // an abort event that came before this listener is not replayed
  else batch.addEventListener('abort', abortOpening, { once: true });
  return { opening, detach: () => batch.removeEventListener('abort', abortOpening) };
}

/** Each step of an open told: to its notification, on the status line (its window at the end), and with --verbose. */
function stepTeller(plan: OpenPlan, run: InProcess, progress: FollowedOpen): NonNullable<GuiOptions['onStep']> {
  const name = path.basename(plan.file);
  return (step, ms, window) => {
    progress.stepped(step);
    if (step !== 'window') run.status.step(name, step);
    run.verbose?.(`${plan.file}: ${step} after ${(ms / 1000).toFixed(1)} s${window ? ` (host window 0x${window.xid.toString(16)})` : ''}`);
  };
}

/** What the guest may write: --edit's copy, or a link VM's Downloads folder (which only an explicit "keep" empties into the user's). */
async function writableCopyFor(plan: OpenPlan, run: InProcess): Promise<EditSession | LinkDownloads | undefined> {
  const maxBytes = run.config.open.maxFileSizeBytes;
  if (run.args.edit && plan.kind === 'file') return EditSession.prepare(plan, { saveBack: run.args.saveBack, maxBytes, env: process.env });
  return plan.kind === 'url' ? new LinkDownloads(maxBytes, process.env) : undefined;
}

/** Once the VM is gone: the changed copy decided on (its status), or the link's downloads offered. */
async function settleWritten(written: EditSession | LinkDownloads | undefined, plan: OpenPlan, run: InProcess): Promise<number> {
  if (written instanceof EditSession && run.decider !== undefined) return settleEdit(written, run.decider, plan.file, run.verbose);
  if (written instanceof LinkDownloads && run.downloads !== undefined) await settleDownloads(written, run.downloads, plan.file, run.verbose);
  return 0;
}

/**
 * Opens one file and follows it to its end (and, with --edit, to the decision about the copy). `settle`
 * hears once whether it opened: handled at the window step, failed when it ended (or failed) before it.
 * Resolves with the edit's status; a viewer's own exit status is not NoFear's to return.
 */
async function openOne(plan: OpenPlan, run: InProcess, settle: (outcome: TargetOutcome) => void): Promise<number> {
  const { status, verbose, args } = run;
  const name = path.basename(plan.file);
  const { opening, detach } = openingAbort(run.abort);
  let stopSandbox: (() => Promise<void>) | undefined;
  const progress = run.progress.follow(plan.file, async () => {
    opening.abort();
    await stopSandbox?.();
  });
  status.step(name, 'booting');
  try {
    const copy = await writableCopyFor(plan, run);
    const session = await openInSandbox(
      plan,
      {
        config: run.config,
        env: process.env,
        ownerKind: 'cli',
        warn: run.warn,
        abort: opening.signal,
        onStep: stepTeller(plan, run, progress),
        ...(verbose ? { log: verbose } : {}),
      },
      copy,
    );
    const attachments: Promise<void>[] = [];
    // An attachment that does not open is told as a notice (the batch was this message's).
    const tellFailure = (outcome: TargetOutcome) => {
      if (outcome.kind === 'failed') run.warn(outcome.reason);
    };
    followCliAttachments(plan, session, { config: run.config, args, warn: run.warn, open: (attached) => openOne(attached, run, tellFailure) }, attachments);
    stopSandbox = () => session.sandbox.stop();
    run.stops.push(stopSandbox);
    void session.window.then((shown) => {
      if (shown === undefined) return;
      status.end(`${name}: opened in ${plan.viewerName} (sandbox ${session.sandbox.id}); ${IN_PROCESS_NOTICE}`);
      settle(handled(plan.file));
    });
    const outcome = await withSandbox(session.sandbox, async () => {
      const ended = await session.finished;
      await progress.ended();
      return ended;
    });
    await Promise.all(attachments); // the attachments' own VMs, opened from the message view
    status.end();
    if ((await session.window) === undefined) settle(failed(plan.file, endedBeforeWindow(plan, outcome)));
    const edited = run.abort.aborted ? 0 : await settleWritten(session.edit, plan, run);
    await session.edit?.discard();
    return edited;
  } catch (error) {
    await progress.ended();
    status.end();
    // Ctrl-C, a signal or Stop: stopped as asked, which is no failure of NoFear's to explain.
    const asked = run.abort.aborted ? 'Ctrl-C or a signal' : 'Stop, in its notification';
    settle(failed(plan.file, opening.signal.aborted ? new NoFearError('Failed', `stopped before its window, as asked (${asked}).`) : error));
    return 0;
  } finally {
    detach();
  }
}

/** Each plan opened at once; the batch reported once every one has its window or has failed; then held until the VMs end. */
async function openInProcess(planned: readonly Entry[], config: Config, args: OpenArgs): Promise<number> {
  const controller = new AbortController();
  const status = StatusLine.forStderr(args, usualWindowMs(process.env, accelOfConfig(config)));
  const run: InProcess = {
    config,
    args,
    status,
    warn: status.notices('nofear-open', noticeWriter(args.verbose, 'nofear-open', args.quiet)),
    verbose: args.verbose ? (line: string) => process.stderr.write(`nofear-open: ${line}\n`) : undefined,
    abort: controller.signal,
    stops: [],
    decider: args.edit ? editDecider(args) : undefined,
    downloads: planned.some((entry) => isPlan(entry) && entry.kind === 'url') ? downloadsDecider() : undefined,
    // Launched from the desktop (no terminal to talk to): the progress is said on the desktop instead.
    progress: stderrIsTerminal() ? NO_PROGRESS : desktopProgress(process.env, usualWindowMs(process.env, accelOfConfig(config))),
  };
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    signalled ??= signal;
    controller.abort();
    for (const stop of run.stops) void stop();
  };
  const stopListening = onStopSignals(onSignal);
  try {
    const edits: Promise<number>[] = [];
    const outcomes = planned.map((entry) => {
      if (!isPlan(entry)) return Promise.resolve<TargetOutcome>(entry);
      return new Promise<TargetOutcome>((settle) => edits.push(openOne(entry, run, settle)));
    });
    const batch = await reportBatch(await Promise.all(outcomes), { program: 'nofear-open', verb: args.edit ? 'edit' : 'open', env: process.env, terminal: stderrIsTerminal() });
    const editStatuses = await Promise.all(edits);
    if (signalled !== undefined) return signalStatus(signalled);
    return batch !== 0 ? batch : (editStatuses.find((status) => status !== 0) ?? 0);
  } finally {
    await run.progress.close();
    run.decider?.close();
    run.downloads?.close();
    stopListening();
  }
}

/** Every plan failed the same way (no display): the batch is told as a whole. */
function allFailed(planned: readonly Entry[], error: unknown): TargetOutcome[] {
  return planned.map((entry) => (isPlan(entry) ? failed(entry.file, error) : entry));
}

async function openCommand(args: OpenArgs, config: Config): Promise<number> {
  const planEntries: Entry[] = await planTargets(args, config);
  const plans = planEntries.filter(isPlan);
  const report = (outcomes: readonly TargetOutcome[]) => reportBatch(outcomes, { program: 'nofear-open', verb: args.edit ? 'edit' : 'open', env: process.env, terminal: stderrIsTerminal() });
  if (args.verbose) for (const plan of plans) for (const note of plan.notes) process.stderr.write(`nofear-open: ${plan.file}: ${note}\n`);
  if (args.dryRun) {
    if (plans.length > 0) process.stdout.write(`${await dryRunText(plans, config, args)}\n`);
    return reportBatch(
      planEntries.map((entry) => (isPlan(entry) ? handled(entry.file) : entry)),
      { program: 'nofear-open', verb: 'plan', env: process.env, terminal: stderrIsTerminal() },
    );
  }
  if (plans.length === 0) return report(planEntries as TargetOutcome[]);
  try {
    await reachDisplay(process.env); // "Can't open display" (no X server there): before any VM starts
  } catch (error) {
    return report(allFailed(planEntries, error));
  }
  const planned = await openTrustedLinks(planEntries, args);
  if (!planned.some(isPlan)) return report(planned as TargetOutcome[]);
  const host = await probeXpra(process.env);
  if (host.kind === 'unknown') throw unknownXpraError(host);
  if (host.kind === 'missing') {
    if (args.edit) throw invalidArgument("Editing needs Xpra, which is not installed: the program's window cannot come back from the VM.", 'sudo apt-get install xpra');
    // A trusted link opened on the host already (no VM, no Xpra); every other target is shown as its safe PDF.
    const rest = args.targets.filter((_, index) => planned[index]?.kind !== 'handled');
    return safeViewCommand({ ...args, targets: rest }, config);
  }
  // --edit on a terminal asks about the copy there: it stays in this process (from the desktop it goes to the
  // service); --net user is this command's own request (the service's OpenFiles has no network option), and so
  // are --sound and --no-sound.
  if (goesThroughService(args, process.env)) {
    const viaService = await openThroughService(args, planned.filter(isPlan), process.env);
    if (viaService !== undefined) {
      const byTarget = new Map(viaService.outcomes.map((outcome) => [outcome.target, outcome]));
      const status = await report(planned.map((entry) => (isPlan(entry) ? (byTarget.get(entry.file) ?? failed(entry.file, new Error('the service gave no answer for it'))) : entry)));
      return viaService.signalled ?? status;
    }
  }
  return openInProcess(planned, config, args);
}

/** The command itself, on its arguments (argv without node and the script): its exit status, or it throws. */
export async function nofearOpenMain(argv: readonly string[]): Promise<number> {
  const commandLine = parseOpenArgs(argv);
  if (commandLine.kind !== 'open') {
    answeredHelpOrVersion(commandLine.parsed);
    return 0;
  }
  const { args } = commandLine;
  const { config, problems } = loadConfig();
  for (const problem of problems) noticeWriter(args.verbose, 'nofear-open', args.quiet)(formatProblem(problem));
  if (args.convert) return convertCommand(args, config);
  return openCommand(args, config);
}
