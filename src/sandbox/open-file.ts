// Opens one planned file in its own throwaway VM: a staged copy, the user's viewer, its window
// forwarded. One VM per file, so documents never see each other. A cold open boots a VM for it; a
// warm one stages the copy into a VM that is already up and attached, and only sends the job.
import type { Config } from '../config/index.js';
import { borderFor } from '../config/index.js';
import { startGuiSession, type GuiOptions, type GuiSession, type GuiStep } from './gui-session.js';
import type { HostWindow } from '../gui/client.js';
import { hooksFor, sandboxOptionsFrom, type RunContext, type SandboxRequest } from './sandbox-options.js';
import type { ExportSpec } from '../vm/start-vm.js';
import { checkedOf, type OpenPlan } from '../open/open-plan.js';
import { stageCopy } from '../open/staging.js';
import { soundFor } from '../open/sound-choice.js';

export interface OpenContext extends RunContext {
  onStep?: (step: GuiStep, atMs: number, window?: HostWindow) => void;
}

/**
 * A copy the guest may write (--edit, src/edit; a link's downloads, src/edit/link-downloads.ts): its own
 * export, the guest's command made to use it, and the moment QEMU is gone, when what the guest wrote is
 * taken aside (nothing of the VM can write it after that).
 */
export interface WritableCopy {
  exportSpec(): ExportSpec;
  guestArgv?(argv: readonly string[]): string[];
  hold(exportDir: string): Promise<void>;
}

/** An open's session; with a writable copy, that copy (to settle once the caller has disposed of the sandbox). */
export type OpenSession<C extends WritableCopy = WritableCopy> = GuiSession & { edit?: C };

export const OPEN_PROFILE = 'temporary';

/** The VM an open needs: throwaway, a network only for a web page, the staged copy as its export. */
export function openRequest(plan: OpenPlan, config: Config): SandboxRequest {
  return {
    argv: plan.argv,
    profile: OPEN_PROFILE,
    // NoFear's message view exports attachments on its stdout (src/open/attachment-export.ts).
    stdio: plan.view === 'mail' ? 'pipe' : 'none',
    gui: true,
    // A web page needs the network; a file only when the user asked for it (nofear-open --net user).
    net: plan.kind === 'url' || plan.net === 'user' ? 'user' : 'none',
    // [links] lan = no: a web page reaches the internet and nothing near this computer.
    ...(plan.kind === 'url' && !config.links.lan ? { fenceLan: true } : {}),
    ...(plan.kind === 'file' ? { export: { bytes: plan.size, fill: (dir: string) => stageInto(plan, dir, config) } } : {}),
  };
}

/** The copy the guest sees: read once from one descriptor, size-checked, 0444 in the export. */
export async function stageInto(plan: OpenPlan, exportDir: string, config: Config): Promise<void> {
  await stageCopy(checkedOf(plan), exportDir, plan.stagedName, config.open.maxFileSizeBytes);
}

/** The client an open's VM gets; with a plan, its sound as the user and [gui] sound want it (a warm VM has none). */
export function openGuiOptions(config: Config, env: NodeJS.ProcessEnv, onStep?: GuiOptions['onStep'], plan?: Pick<OpenPlan, 'mime' | 'sound'>): GuiOptions {
  const sound = plan === undefined ? false : soundFor(config.gui.sound, plan.mime, plan.sound);
  return { border: borderFor(config, OPEN_PROFILE), clipboard: config.gui.clipboard, sound, env, ...(onStep === undefined ? {} : { onStep }) };
}

/** The VM an open needs, with a writable copy (--edit, a link's downloads) in place of the read-only one. */
export function writtenOpenRequest(plan: OpenPlan, config: Config, copy?: WritableCopy): SandboxRequest {
  const request = openRequest(plan, config);
  return copy === undefined ? request : { ...request, export: copy.exportSpec(), argv: copy.guestArgv?.(request.argv) ?? request.argv };
}

/** A session whose writable copy is taken aside once QEMU is gone: nothing of the VM can write it after that. */
function holdingCopy<C extends WritableCopy>(session: GuiSession, edit: C): OpenSession<C> {
  const finished = session.finished.then(async (outcome) => {
    await session.sandbox.stop();
    await edit.hold(session.sandbox.layout.exportDir);
    return outcome;
  });
  // The session itself stays the prototype: its methods and fields show through, `finished` is the edit's.
  return Object.assign(Object.create(session) as GuiSession, { finished, edit });
}

export async function openInSandbox<C extends WritableCopy>(plan: OpenPlan, context: OpenContext, edit?: C): Promise<OpenSession<C>> {
  const { config } = context;
  const options = sandboxOptionsFrom(config, writtenOpenRequest(plan, config, edit), hooksFor(context, [plan.file]));
  const session = await startGuiSession(options, openGuiOptions(config, context.env, context.onStep, plan));
  return edit === undefined ? session : holdingCopy(session, edit);
}

/**
 * A warm VM takes the open: the copy staged into its export, the job sent; the window follows. With a
 * writable copy (an edit VM, its export writable since its boot), the copy is staged as a cold edit's is.
 */
export async function openInWarmVm<C extends WritableCopy>(plan: OpenPlan, session: GuiSession, context: OpenContext, edit?: C): Promise<OpenSession<C>> {
  const request = writtenOpenRequest(plan, context.config, edit);
  const { job } = sandboxOptionsFrom(context.config, request, hooksFor(context, [plan.file]));
  session.listen(context.onStep);
  const exportDir = session.sandbox.layout.exportDir;
  if (request.export === undefined) throw new Error('a warm VM opens files only');
  await (edit === undefined ? stageInto(plan, exportDir, context.config) : request.export.fill(exportDir));
  // Held from the job on: whatever the guest then wrote is taken aside once QEMU is gone.
  const opened = edit === undefined ? session : holdingCopy(session, edit);
  await session.run(job, [plan.file], true);
  return opened;
}
