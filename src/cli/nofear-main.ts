// nofear: run a command (or a shell) in a VM that uses the host's own software.
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import { invalidArgument, notFound, NoFearError } from '../errors.js';
import { checkMemory, parseNofearArgs, type RunArgs } from './nofear-args.js';
import { answeredHelpOrVersion } from './version.js';
import { noticeWriter, signalStatus, NOFEAR_FAILURE } from './cli-exit.js';
import { Sandbox, withSandbox } from '../sandbox/sandbox.js';
import { exitStatusOf } from '../sandbox/sandbox-outcome.js';
import { sandboxOptionsFrom } from '../sandbox/sandbox-options.js';
import { CountingSink, relayStdin, TerminalSink } from './stdio-relay.js';
import { ControlEscaper } from './terminal-escape.js';
import { createProfile, deleteProfile, listProfiles, lockProfile, profilePaths, validateProfileName, DEFAULT_PROFILE } from '../profiles/store.js';
import { formatProfiles } from './profile-table.js';
import { checkFirstUse } from '../profiles/first-use.js';
import { accelOfConfig, borderFor, formatProblem, loadConfig } from '../config/index.js';
import { usualWindowMs } from '../vm/timings.js';
import type { GuiSession, GuiStep } from '../sandbox/gui-session.js';
import type { HostWindow } from '../gui/client.js';
import { StatusLine } from './status-line.js';
import { STOPPED_STATUS } from '../util/exit-status.js';
import { onStopSignals } from '../util/stop-signals.js';
import { markPhase } from '../util/phases.js';

// After the guest reports its exit, its last output may still be on the way: waited for while it flows.
const OUTPUT_SILENCE_MS = 10_000;
const OUTPUT_CAP_MS = 300_000;

function checkSharedFolder(dir: string): string {
  const full = path.resolve(dir);
  let stat;
  try {
    stat = statSync(full);
  } catch {
    throw notFound(`Shared folder ${full} does not exist.`, `mkdir -p ${JSON.stringify(full)}, or pick another folder with -f`);
  }
  if (!stat.isDirectory()) throw invalidArgument(`Shared folder ${full} is not a directory.`, 'nofear -f DIR takes a directory');
  return full;
}

/** The run's settings from the arguments and config.ini, each checked before any VM starts. */
async function checkedRun(args: RunArgs, warn: (line: string) => void) {
  const { config, problems } = loadConfig();
  for (const problem of problems) warn(formatProblem(problem));
  const memoryMiB = args.memoryMiB ?? config.vm.memoryMiB;
  checkMemory(memoryMiB);
  const sharedFolder = args.sharedFolder === undefined ? undefined : checkSharedFolder(args.sharedFolder);
  const profile = args.temporary ? undefined : validateProfileName(args.profile ?? DEFAULT_PROFILE);
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
  if (args.gui && args.command.length === 0 && !interactive) {
    throw invalidArgument('--gui without a command is an interactive shell, and needs a terminal.', 'nofear --gui CMD, e.g. nofear --gui xclock');
  }
  // "Can't open display": before any VM starts. The GUI's modules are loaded for --gui only (a pipe job's start).
  if (args.gui) await (await import('../gui/display-check.js')).reachDisplay(process.env);
  const command = args.command.length > 0 ? args.command : defaultShell(interactive);
  return { config, memoryMiB, sharedFolder, profile, interactive, command };
}

/** The command's exit status: the GUI session's outcome for a GUI command, else the terminal's or the pipes' relay. */
async function runStatus(sandbox: Sandbox, session: GuiSession | undefined, args: RunArgs, interactive: boolean, endMarker: string): Promise<number> {
  if (session !== undefined && args.command.length > 0) {
    const outcome = await session.finished;
    return outcome.kind === 'failed' ? failed(sandbox, outcome.reason) : exitStatusOf(outcome);
  }
  const status = interactive ? await relayTerminal(sandbox, endMarker) : await relayPipes(sandbox, args.rawOutput);
  await session?.client.stop();
  return status;
}

async function runInVm(args: RunArgs): Promise<number> {
  const verbose = args.verbose ? (line: string) => process.stderr.write(`nofear: ${line}\n`) : undefined;
  const warn = noticeWriter(args.verbose, 'nofear', args.quiet);
  const { config, memoryMiB, sharedFolder, profile, interactive, command } = await checkedRun(args, warn);

  const { release, disk } = await takeProfile(profile, args.command, args.quiet);

  const controller = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  let sandbox: Sandbox | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    signalled ??= signal;
    controller.abort();
    void sandbox?.stop(2000);
  };
  const stopListening = onStopSignals(onSignal);

  const endMarker = randomBytes(16).toString('hex');
  const progress = args.gui ? guiProgress(args, command, verbose, usualWindowMs(process.env, accelOfConfig(config))) : undefined;
  const stopProgress = () => progress?.end();
  try {
    const options = sandboxOptionsFrom(config, requestOf(args, { command, profile, disk, interactive, memoryMiB, sharedFolder, endMarker }), {
      hostEnv: process.env,
      ownerKind: 'cli',
      ...(verbose === undefined ? {} : { log: verbose }),
      warn: progress === undefined ? warn : progress.status.notices('nofear', warn),
      abort: controller.signal,
    });
    let session: GuiSession | undefined;
    let started: Sandbox;
    try {
      if (progress !== undefined) {
        const { startGuiSession } = await import('../sandbox/gui-session.js');
        session = await startGuiSession(options, { border: borderFor(config, profile ?? 'temporary'), clipboard: config.gui.clipboard, sound: args.sound, env: process.env, onStep: progress.onStep });
        started = session.sandbox;
      } else {
        started = await Sandbox.start(options);
      }
    } catch (error) {
      stopProgress();
      if (signalled !== undefined) return signalStatus(signalled);
      throw error;
    }
    sandbox = started;
    const status = await withSandbox(started, async (box) => {
      try {
        if (signalled !== undefined) void box.stop(2000);
        return await runStatus(box, session, args, interactive, endMarker);
      } finally {
        stopProgress(); // the status line ends before the clean-up waits for QEMU
      }
    });
    if (signalled !== undefined) return signalStatus(signalled);
    return status;
  } finally {
    stopProgress();
    await release?.();
    stopListening();
  }
}

/** A persistent profile's disk, created on first use and locked while the VM runs; nothing for -t. */
async function takeProfile(profile: string | undefined, command: readonly string[], quiet: boolean): Promise<{ release?: () => Promise<void>; disk?: string }> {
  if (profile === undefined) return {};
  if (!statSafe(profilePaths(profile).disk)) {
    checkFirstUse(
      profile,
      (await listProfiles()).map((p) => p.name),
      command,
    );
    // Said wherever stderr goes (a terminal or not): a new, empty profile is worth knowing about.
    if (!quiet) process.stderr.write(`nofear: creating profile ${profile} (it did not exist; nofear -l lists the profiles)\n`);
    await createProfile(profile);
  }
  return { release: await lockProfile(profile), disk: profilePaths(profile).disk };
}

interface RunChoices {
  command: string[];
  profile: string | undefined;
  disk: string | undefined;
  interactive: boolean;
  memoryMiB: number;
  sharedFolder: string | undefined;
  endMarker: string;
}

/** What the command line asks of the VM, in sandboxOptionsFrom's terms. */
function requestOf(args: RunArgs, choices: RunChoices): Parameters<typeof sandboxOptionsFrom>[1] {
  const { command, profile, disk, interactive, memoryMiB, sharedFolder, endMarker } = choices;
  return {
    argv: command,
    profile: profile ?? 'temporary',
    ...(disk === undefined ? {} : { disk }),
    // --gui with a command: its windows are its output; --gui without one: the debugging shell.
    stdio: args.gui ? (args.command.length > 0 ? 'none' : 'tty') : interactive ? 'tty' : 'pipe',
    root: args.root,
    interactive,
    gui: args.gui,
    sound: args.sound,
    memoryMiB,
    ...(args.cpus === undefined ? {} : { cpus: args.cpus }),
    ...(args.net === undefined ? {} : { net: args.net }),
    ...(sharedFolder === undefined ? {} : { sharedFolder }),
    ...(interactive ? { winsize: { rows: process.stdout.rows, cols: process.stdout.columns }, endMarker } : {}),
  };
}

/** --gui's steps: a status line on the terminal (until the window), or --verbose's timed lines. */
function guiProgress(args: RunArgs, command: readonly string[], verbose: ((line: string) => void) | undefined, usualMs: number | undefined) {
  // The debugging shell takes the terminal for itself: no status line there.
  const status = StatusLine.forStderr({ quiet: args.quiet || args.command.length === 0, verbose: args.verbose }, usualMs);
  const name = path.basename(command[0] ?? 'nofear');
  status.step(name, 'booting');
  const onStep = (step: GuiStep, ms: number, window?: HostWindow) => {
    if (step === 'window') status.end();
    else status.step(name, step);
    verbose?.(`gui: ${step} after ${(ms / 1000).toFixed(1)} s${window ? ` (host window 0x${window.xid.toString(16)})` : ''}`);
  };
  return { onStep, status, end: () => status.end() };
}

function statSafe(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}

function defaultShell(interactive: boolean): string[] {
  const bash = statSafe('/usr/bin/bash') || statSafe('/bin/bash');
  if (interactive) return bash ? ['bash', '-i'] : ['sh', '-i'];
  return ['sh'];
}

/**
 * Pipe mode: the guest's stdio as the command's own. Where stdout or stderr is a terminal, the guest's
 * control characters are shown escaped there (unless --raw-output); pipes and files get every byte as it is.
 */
async function relayPipes(sandbox: Sandbox, rawOutput: boolean): Promise<number> {
  const { stdin, stdout, stderr } = sandbox.ports;
  if (stdin === undefined || stdout === undefined || stderr === undefined) throw new Error('stdio ports missing');
  const stopStdin = relayStdin(process.stdin, stdin);
  const escaped = (host: NodeJS.WriteStream) => (!rawOutput && host.isTTY === true ? new ControlEscaper() : undefined);
  const out = new CountingSink(stdout, process.stdout, escaped(process.stdout));
  const err = new CountingSink(stderr, process.stderr, escaped(process.stderr));
  const outcome = await sandbox.outcome;
  markPhase('job to exit report');
  stopStdin();
  if (outcome.kind === 'failed') return failed(sandbox, outcome.reason);
  if (outcome.kind === 'stopped') return STOPPED_STATUS;
  // The guest says how many bytes it wrote; wait for the last of them (while they keep coming) before exiting.
  await Promise.all([out.waitFor(outcome.stdoutBytes, OUTPUT_SILENCE_MS, OUTPUT_CAP_MS), err.waitFor(outcome.stderrBytes, OUTPUT_SILENCE_MS, OUTPUT_CAP_MS)]);
  await Promise.all([out.flushed(), err.flushed()]);
  markPhase('last output');
  return outcome.status;
}

async function relayTerminal(sandbox: Sandbox, endMarker: string): Promise<number> {
  const { tty } = sandbox.ports;
  if (tty === undefined) throw new Error('terminal port missing');
  const sink = new TerminalSink(tty, process.stdout, Buffer.from(`\x1b]nofear-end;${endMarker}\x07`));
  process.stdin.setRawMode(true);
  process.stdin.on('data', (chunk: Buffer) => tty.write(chunk));
  process.stdin.resume();
  const onResize = () => sandbox.resize(process.stdout.rows, process.stdout.columns);
  process.stdout.on('resize', onResize);
  try {
    const outcome = await sandbox.outcome;
    if (outcome.kind === 'failed') return failed(sandbox, outcome.reason);
    if (outcome.kind === 'stopped') return STOPPED_STATUS;
    await sink.waitForEnd(5000);
    return outcome.status;
  } finally {
    process.stdout.off('resize', onResize);
    process.stdin.setRawMode(false);
    process.stdin.pause();
  }
}

function failed(sandbox: Sandbox, reason: string): number {
  const error = new NoFearError('Failed', `${reason}.`, { fix: 'run again with --verbose; NOFEAR_CONSOLE=1 shows the guest console' });
  process.stderr.write(`nofear: ${error.describe()}\n`);
  if (process.env.NOFEAR_CONSOLE === '1') process.stderr.write(sandbox.consoleTail());
  return NOFEAR_FAILURE;
}

/** The command itself, on its arguments (argv without node and the script): its exit status, or it throws. */
export async function nofearMain(argv: readonly string[]): Promise<number> {
  const args = parseNofearArgs(argv);
  switch (args.action) {
    case 'help':
    case 'version':
      answeredHelpOrVersion(args.parsed);
      return 0;
    case 'list':
      process.stdout.write(formatProfiles(await listProfiles()));
      return 0;
    case 'create':
      validateProfileName(args.name);
      await createProfile(args.name);
      process.stdout.write(`created profile ${args.name}\n`);
      return 0;
    case 'delete':
      await deleteProfile(validateProfileName(args.name));
      process.stdout.write(`deleted profile ${args.name}\n`);
      return 0;
    case 'run':
      return runInVm(args);
  }
}
