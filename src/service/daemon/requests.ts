// What the Manager and org.freedesktop.Application methods do: validate every argument, check every file,
// then start sandboxes through the SandboxManager. Knows nothing of dbus-next.
import path from 'node:path';
import { invalidArgument } from '../../errors.js';
import type { CallerDisplay, EditLaunch, LaunchSpec } from '../../sandbox/launch.js';
import { notificationAsker } from '../../edit/ask.js';
import { EditSession } from '../../edit/edit-session.js';
import { convertHandlers } from './convert-requests.js';
import { editNotice } from './convert-notices.js';
import { LinkDownloads, type DownloadsOutcome } from '../../edit/link-downloads.js';
import { describeDownloads, notificationDownloadsAsker } from '../../edit/downloads-ask.js';
import { planOpen, planUrl, type OpenPlan } from '../../open/open-plan.js';
import { checkOpenable } from '../../open/check.js';
import { replyWith, startSandbox, targetOf, type RequestContext } from './request-parts.js';
import type { RootHandlers } from '../bus/dbus-adapter.js';
import { checkAbsolute, checkOptions, checkString, checkStrings, OPEN_OPTIONS, RUN_OPTIONS, type CheckedOptions } from './validate.js';
import { listViewersFor } from '../../open/viewers.js';
import { attachmentHandler } from './attachment-requests.js';
import { holdCopy } from './held-copy.js';
import { launchNativeArgv } from '../../integrate/native-launch.js';
import { openNativeByOrigin } from './route-by-origin.js';
import { planEachTarget, plansOrRefusal } from './open-batch.js';
import { LinkVms } from './link-reuse.js';
import type { ManagedSandbox } from '../../sandbox/manager.js';
import { openLink } from './link-requests.js';

/** The desktop entry's actions (org.nofear.NoFear.desktop, Actions=). */
const ACTIONS = ['stop-all'] as const;

function checkOpenProfile(options: CheckedOptions): void {
  if (options.profile !== undefined && options.profile !== 'temporary') {
    throw invalidArgument(`Files open in throwaway VMs only (profile "temporary"), not ${JSON.stringify(options.profile)}.`, 'leave the profile option out');
  }
}

/** The caller's display from the options (nofear-open passes its own), for the launch to use. */
function callerDisplay(options: CheckedOptions): { display?: CallerDisplay } {
  if (options.display === undefined && options.wayland_display === undefined) return {};
  return {
    display: {
      ...(options.display === undefined ? {} : { DISPLAY: options.display }),
      ...(options.xauthority === undefined ? {} : { XAUTHORITY: options.xauthority }),
      ...(options.wayland_display === undefined ? {} : { WAYLAND_DISPLAY: options.wayland_display }),
    },
  };
}

/** edit=true: a writable copy; once the VM is gone it is offered back in a notification, and its outcome told there. */
async function editOf(context: RequestContext, plan: OpenPlan, options: CheckedOptions): Promise<{ edit?: EditLaunch }> {
  if (options.edit !== true) return plan.kind === 'url' ? downloadsOf(context, plan) : {};
  if (plan.kind !== 'file') throw invalidArgument(`Only files can be edited, not ${plan.file}.`, 'leave out the edit option for web addresses');
  const copy = await EditSession.prepare(plan, { saveBack: options.save_back ?? 'ask', maxBytes: context.config().open.maxFileSizeBytes, env: context.env });
  const ask = notificationAsker(context.notifications);
  const report = editNotice(context.notifications, plan.file, context.log);
  return { edit: { copy, afterEnd: async () => report(await copy.settle(ask).finally(() => copy.discard())) } };
}

/** A link's VM: its Downloads folder offered in a notification once the VM is gone; kept only on "keep". */
function downloadsOf(context: RequestContext, plan: OpenPlan): { edit: EditLaunch } {
  const copy = new LinkDownloads(context.config().open.maxFileSizeBytes, context.env);
  const ask = notificationDownloadsAsker(context.notifications);
  const report = (outcome: DownloadsOutcome) => {
    const line = describeDownloads(outcome);
    context.log(`downloads of ${plan.file}: ${outcome.kind}`);
    if (line !== undefined) void context.notifications.show({ summary: 'NoFear: downloads', body: line });
  };
  return { edit: { copy, afterEnd: async () => report(await copy.settle(ask).finally(() => copy.discard())) } };
}

/** Links in [links] trusted open in the host's own browser, on the caller's display, with no VM (and no sandbox in the reply). */
async function openTrustedLinks(context: RequestContext, plans: readonly OpenPlan[], options: CheckedOptions): Promise<void> {
  const env = { ...context.env, ...callerDisplay(options).display };
  for (const plan of plans.filter((p) => p.trustedBy !== undefined)) {
    await launchNativeArgv(plan.argv, plan.viewer, env);
    context.log(`${plan.file}: trusted ([links] trusted = ${plan.trustedBy}): opened in the host's ${plan.viewer}`);
  }
}

/** Activate: a notification listing the running sandboxes. */
async function announceRunning(context: RequestContext): Promise<void> {
  const live = context.manager.live();
  context.log(`activated: ${live.length} sandbox(es) running`);
  const lines = live.map((s) => `${s.id}  ${s.state}  ${s.files[0] !== undefined ? path.basename(s.files[0]) : s.command.join(' ')}`);
  const summary = `NoFear: ${live.length} sandbox${live.length === 1 ? '' : 'es'} running`;
  await context.notifications.show({ summary, body: lines.length > 0 ? lines.join('\n') : 'Nothing is running. Open a file with “Open in NoFear”.' });
}

export type { RequestContext } from './request-parts.js';

/**
 * The plans that can open are started together (src/service/daemon/open-batch.ts decided which). The reply comes
 * only once each file is held (src/service/daemon/held-copy.ts): a caller may delete it the moment it has the
 * reply. An edit keeps the original: it saves back to it.
 */
async function openPlans(context: RequestContext, plans: OpenPlan[], options: CheckedOptions, onStarted?: (sandbox: ManagedSandbox) => void): Promise<string[]> {
  const notify = options.notify === undefined ? {} : { notify: options.notify };
  const display = callerDisplay(options);
  const max = context.config().open.maxFileSizeBytes;
  const held = await Promise.all(plans.map((plan) => (options.edit === true ? { plan, release: async () => {} } : holdCopy(plan, context.env, max))));
  const releaseAll = () => Promise.all(held.map((h) => h.release()));
  try {
    const attachments = (plan: OpenPlan) => (plan.view === 'mail' ? { onAttachment: attachmentHandler(context, plan, display) } : {});
    const specs = await Promise.all(
      held.map(async ({ plan }): Promise<LaunchSpec> => ({ kind: 'open-plan', plan, ...display, ...notify, ...attachments(plan), ...(await editOf(context, plan, options)) })),
    );
    const sandboxes = await Promise.all(specs.map((spec) => startSandbox(context, spec)));
    sandboxes.forEach((sandbox, i) => void sandbox.ended.finally(() => held[i]?.release()));
    if (onStarted !== undefined) sandboxes.forEach(onStarted);
    return await replyWith(context, sandboxes, options);
  } catch (error) {
    await releaseAll();
    throw error;
  }
}

async function openFiles(context: RequestContext, paths: unknown, options: unknown): Promise<string[]> {
  const { env } = context;
  const maxFileSizeBytes = context.config().open.maxFileSizeBytes;
  const files = checkStrings(paths, 'paths').map((file) => checkAbsolute(file));
  const opts = checkOptions(options, OPEN_OPTIONS);
  checkOpenProfile(opts);
  // Missing → NotFound; directory, device, FIFO, socket → InvalidArgument; unreadable → AccessDenied; too big → LimitReached.
  const planned = await planEachTarget(
    files,
    (file) => file,
    (file) => planOpen(file, { viewer: opts.viewer, maxFileSizeBytes, env }),
  );
  return openPlans(context, await plansOrRefusal(context, planned, opts.notify), opts);
}

async function openUris(context: RequestContext, links: LinkVms<ManagedSandbox>, uris: unknown, options: unknown): Promise<string[]> {
  const { env } = context;
  const maxFileSizeBytes = context.config().open.maxFileSizeBytes;
  const list = checkStrings(uris, 'uris');
  const opts = checkOptions(options, OPEN_OPTIONS);
  checkOpenProfile(opts);
  const trusted = context.config().links.trusted;
  const planned = await planEachTarget(
    list,
    (uri) => uri,
    async (uri) => {
      const target = targetOf(uri);
      if (target.kind === 'url') return planUrl(target.url, target.scheme, { viewer: opts.viewer, trusted, env });
      return planOpen(checkAbsolute(target.path), { viewer: opts.viewer, maxFileSizeBytes, env });
    },
  );
  const plans = await plansOrRefusal(context, planned, opts.notify);
  await openTrustedLinks(context, plans, opts);
  const toVm = plans.filter((plan) => plan.trustedBy === undefined);
  if (!toVm.some((plan) => plan.kind === 'url')) return openPlans(context, toVm, opts);
  // A link may go to a running link VM, even the one the link before it in this call started: one by
  // one, in order (the reply's paths are the targets' own, in their order).
  const paths: string[] = [];
  for (const plan of toVm) {
    const openNew = (one: OpenPlan, started?: (sandbox: ManagedSandbox) => void) => openPlans(context, [one], opts, started);
    paths.push(...(plan.kind === 'url' ? await openLink(context, links, plan, opts, openNew) : await openNew(plan)));
  }
  return paths;
}

async function run(context: RequestContext, argv: unknown, options: unknown): Promise<string> {
  const command = checkStrings(argv, 'argv');
  const opts = checkOptions(options, RUN_OPTIONS);
  const spec: LaunchSpec = {
    kind: 'run',
    argv: command,
    gui: opts.gui === true,
    ...(opts.net === undefined ? {} : { net: opts.net }),
    ...(opts.shared_folder === undefined ? {} : { sharedFolder: checkAbsolute(opts.shared_folder, 'shared_folder') }),
    ...(opts.profile === undefined ? {} : { profile: opts.profile }),
    ...callerDisplay(opts),
  };
  const [objectPath] = await replyWith(context, [await startSandbox(context, spec)], opts);
  if (objectPath === undefined) throw new Error('Run started no sandbox');
  return objectPath;
}

export function requestHandlers(context: RequestContext): RootHandlers {
  const { manager, env, log } = context;
  // The live link VMs and their last links ([links] reuse_seconds): this service's, for its whole life.
  const links = new LinkVms<ManagedSandbox>();
  const stopAll = async () => {
    log(`stopping every sandbox (${manager.live().length} running, ${manager.waiting} waiting)`);
    await Promise.all([manager.stopAll(), context.stopPool()]);
  };

  const converts = convertHandlers(context);
  return {
    openFiles: (paths, options) => openFiles(context, paths, options),
    openUris: (uris, options) => openUris(context, links, uris, options),
    run: (argv, options) => run(context, argv, options),
    convert: converts.convert,
    cancel: converts.cancel,
    async listViewers(file) {
      const given = checkAbsolute(checkString(file, 'path'));
      const { source } = await checkOpenable(given, context.config().open.maxFileSizeBytes, env);
      return listViewersFor(source, given, env);
    },
    stopAll,
    sandboxes: () => manager.list().map(context.objectPath),
    activate: () => announceRunning(context),
    async open(uris) {
      // GLib's `gio open` and file managers: like OpenUris, never waiting; with [trust] policy = marked,
      // what is not from outside opens natively first.
      const toVm = await openNativeByOrigin(checkStrings(uris, 'uris'), context.config(), env, log);
      if (toVm.length > 0) await openUris(context, links, toVm, {});
    },
    async activateAction(name) {
      const action = checkString(name, 'action');
      if (action === 'stop-all') return stopAll();
      throw invalidArgument(`Unknown action ${JSON.stringify(action)}; known: ${ACTIONS.join(', ')}.`);
    },
  };
}
