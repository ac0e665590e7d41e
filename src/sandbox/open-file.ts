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

export async function openInSandbox<C extends WritableCopy>(plan: OpenPlan, context: OpenContext, edit?: C): Promise<OpenSession<C>> {
  const { config } = context;
  const request = openRequest(plan, config);
  const written = edit === undefined ? request : { ...request, export: edit.exportSpec(), argv: edit.guestArgv?.(request.argv) ?? request.argv };
  const options = sandboxOptionsFrom(config, written, hooksFor(context, [plan.file]));
  const session = await startGuiSession(options, openGuiOptions(config, context.env, context.onStep, plan));
  if (edit === undefined) return session;
  // The guest's file is taken aside only once QEMU is gone: nothing of the VM can write it after that.
  const finished = session.finished.then(async (outcome) => {
    await session.sandbox.stop();
    await edit.hold(session.sandbox.layout.exportDir);
    return outcome;
  });
  // The session itself stays the prototype: its methods and fields show through, `finished` is the edit's.
  return Object.assign(Object.create(session) as GuiSession, { finished, edit });
}

/** A warm VM takes the open: the copy staged into its export, the job sent; the window follows. */
export async function openInWarmVm(plan: OpenPlan, session: GuiSession, context: OpenContext): Promise<void> {
  const { job } = sandboxOptionsFrom(context.config, openRequest(plan, context.config), hooksFor(context, [plan.file]));
  session.listen(context.onStep);
  await stageInto(plan, session.sandbox.layout.exportDir, context.config);
  await session.run(job, [plan.file], true);
}
