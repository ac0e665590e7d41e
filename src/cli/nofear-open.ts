#!/usr/bin/env node
// nofear-open: open files (or web addresses) safely, each in its own throwaway VM with the usual viewer.
import path from 'node:path';
import { invalidArgument } from '../errors.js';
import { runMain, noticeWriter, signalStatus, NOFEAR_FAILURE, reportFailure } from './cli-exit.js';
import { parseOpenArgs, type OpenArgs } from './nofear-open-args.js';
import { answeredHelpOrVersion } from './version.js';
import { formatProblem, loadConfig, type Config } from '../config/index.js';
import { classifyTarget, formatDryRun, planOpen, planUrl, type OpenPlan } from '../sandbox/open-plan.js';
import { openInSandbox } from '../sandbox/open-file.js';
import { hostDisplay } from '../gui/client.js';
import { STOPPED_STATUS } from '../sandbox/launch.js';
import { openThroughService } from './open-via-service.js';
import { notifyIfSlow, notifyOnce } from '../service/notifications.js';
import { StatusLine } from './status-line.js';
import { convertCommand } from './open-convert.js';
import { editDecider, settleEdit, type EditDecider } from './open-edit.js';
import { EditSession } from '../edit/edit-session.js';
import { followCliAttachments } from './open-attachments.js';

async function planAll(args: OpenArgs, config: Config): Promise<OpenPlan[]> {
  const plans: OpenPlan[] = [];
  for (const target of args.targets) {
    const kind = classifyTarget(target);
    if (kind.kind === 'url' && args.edit) throw invalidArgument(`--edit takes files, not web addresses (${target}).`, 'download it first, then edit the file');
    if (kind.kind === 'url') plans.push(await planUrl(kind.url, kind.scheme, { viewer: args.viewer }));
    else plans.push(await planOpen(path.resolve(kind.path), { viewer: args.viewer, maxFileSizeBytes: config.open.maxFileSizeBytes }));
  }
  return plans;
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
}

/** Opens one file and follows it to its end (and, with --edit, to the decision about the copy). */
async function openOne(plan: OpenPlan, run: InProcess): Promise<number> {
  const { status, verbose, args } = run;
  // Launched from the desktop (no terminal to talk to): say it on the desktop instead.
  const fromDesktop = !process.stderr.isTTY;
  const name = path.basename(plan.file);
  const cancelSlow = fromDesktop ? notifyIfSlow(process.env, `Opening ${name} safely`, `Starting a throwaway VM for ${plan.viewerName}…`) : () => {};
  status.step(name, 'booting');
  try {
    const copy = args.edit && plan.kind === 'file' ? await EditSession.prepare(plan, { saveBack: args.saveBack, maxBytes: run.config.open.maxFileSizeBytes, env: process.env }) : undefined;
    const session = await openInSandbox(
      plan,
      {
        config: run.config,
        env: process.env,
        ownerKind: 'cli',
        warn: run.warn,
        abort: run.abort,
        onStep: (step, ms, window) => {
          if (step !== 'window') status.step(name, step);
          verbose?.(`${plan.file}: ${step} after ${(ms / 1000).toFixed(1)} s${window ? ` (host window 0x${window.xid.toString(16)})` : ''}`);
        },
        ...(verbose ? { log: verbose } : {}),
      },
      copy,
    );
    cancelSlow();
    const attachments: Promise<void>[] = [];
    followCliAttachments(plan, session, { config: run.config, args, warn: run.warn, open: (attached) => openOne(attached, run) }, attachments);
    run.stops.push(() => session.sandbox.stop());
    void session.window.then((shown) => status.end(shown === undefined ? undefined : `${name}: opened in ${plan.viewerName} (sandbox ${session.sandbox.id})`));
    const outcome = await session.finished;
    await session.sandbox.dispose();
    await Promise.all(attachments); // the attachments' own VMs, opened from the message view
    status.end();
    const edited = session.edit !== undefined && run.decider !== undefined && !run.abort.aborted ? await settleEdit(session.edit, run.decider, plan.file, verbose) : 0;
    await session.edit?.discard();
    if (outcome.kind === 'failed') {
      process.stderr.write(`nofear-open: ${plan.file}: ${outcome.reason}\n`);
      return NOFEAR_FAILURE;
    }
    return outcome.kind === 'stopped' ? STOPPED_STATUS : outcome.status || edited;
  } catch (error) {
    cancelSlow();
    status.end();
    if (fromDesktop) await notifyOnce(process.env, `NoFear could not open ${name}`, error instanceof Error ? error.message : String(error));
    return reportFailure('nofear-open', error);
  }
}

async function openInProcess(plans: readonly OpenPlan[], config: Config, args: OpenArgs): Promise<number> {
  const controller = new AbortController();
  const run: InProcess = {
    config,
    args,
    status: StatusLine.forStderr(args),
    warn: noticeWriter(args.verbose, 'nofear-open', args.quiet),
    verbose: args.verbose ? (line: string) => process.stderr.write(`nofear-open: ${line}\n`) : undefined,
    abort: controller.signal,
    stops: [],
    decider: args.edit ? editDecider(args) : undefined,
  };
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    signalled ??= signal;
    controller.abort();
    for (const stop of run.stops) void stop();
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  try {
    const statuses = await Promise.all(plans.map((plan) => openOne(plan, run)));
    if (signalled !== undefined) return signalStatus(signalled);
    return statuses.find((status) => status !== 0) ?? 0;
  } finally {
    run.decider?.close();
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(signal, onSignal);
  }
}

// Before anything else: no descriptor this process inherited may reach a VM or a helper it starts.

await runMain('nofear-open', async () => {
  const commandLine = parseOpenArgs(process.argv.slice(2));
  if (commandLine.kind !== 'open') {
    answeredHelpOrVersion(commandLine.parsed);
    return 0;
  }
  const { args } = commandLine;
  const { config, problems } = loadConfig();
  for (const problem of problems) noticeWriter(args.verbose, 'nofear-open', args.quiet)(formatProblem(problem));
  if (args.convert) return convertCommand(args, config);
  const plans = await planAll(args, config);
  if (args.verbose) for (const plan of plans) for (const note of plan.notes) process.stderr.write(`nofear-open: ${plan.file}: ${note}\n`);
  if (args.dryRun) {
    process.stdout.write(`${plans.map(formatDryRun).join('\n\n')}\n`);
    return 0;
  }
  hostDisplay(process.env); // "Can't open display": before any VM starts
  // --edit asks about the copy where the user is (this terminal): it stays in this process.
  if (!args.noService && !args.edit && process.env.DBUS_SESSION_BUS_ADDRESS) {
    const viaService = await openThroughService(args, process.env);
    if (viaService !== undefined) return viaService;
  }
  return openInProcess(plans, config, args);
});
