// Opens one planned file in its own throwaway VM: a staged copy, the user's viewer, its window
// forwarded. One VM per file, so documents never see each other.
import type { Config } from '../config/index.js';
import { borderFor } from '../config/index.js';
import { startGuiSession, type GuiSession, type GuiStep } from './gui-session.js';
import type { HostWindow } from '../gui/client.js';
import { sandboxOptionsFrom } from './sandbox-options.js';
import type { OpenPlan } from './open-plan.js';
import { stageCopy } from './staging.js';
import { EditSession, type SaveBackMode } from '../edit/edit-session.js';

export interface OpenContext {
  config: Config;
  env: NodeJS.ProcessEnv;
  ownerKind: 'cli' | 'service';
  log?: (line: string) => void;
  warn?: (line: string) => void;
  onStep?: (step: GuiStep, atMs: number, window?: HostWindow) => void;
  abort?: AbortSignal;
  id?: string;
  /** --edit: the copy is writable, and a changed copy is offered back (per the mode) once the VM is gone. */
  edit?: { saveBack: SaveBackMode };
}

/** An open's session; with --edit, the edit to settle once the caller has disposed of the sandbox. */
export interface OpenSession extends GuiSession {
  edit?: EditSession;
}

export const OPEN_PROFILE = 'temporary';

export async function openInSandbox(plan: OpenPlan, context: OpenContext): Promise<OpenSession> {
  const { config } = context;
  const edit = context.edit !== undefined && plan.kind === 'file' ? await EditSession.prepare(plan, { saveBack: context.edit.saveBack, maxBytes: config.open.maxFileSizeBytes, env: context.env }) : undefined;
  const options = sandboxOptionsFrom(
    config,
    {
      argv: plan.argv,
      profile: OPEN_PROFILE,
      stdio: 'none',
      gui: true,
      // A web page needs the network; a file never does.
      net: plan.kind === 'url' ? 'user' : 'none',
      ...(edit !== undefined ? { export: edit.exportSpec() } : {}),
      ...(plan.kind === 'file' && edit === undefined
        ? { export: { bytes: plan.size, fill: async (dir: string) => void (await stageCopy(plan.source, dir, plan.stagedName, config.open.maxFileSizeBytes)) } }
        : {}),
    },
    {
      hostEnv: context.env,
      ownerKind: context.ownerKind,
      files: [plan.file],
      ...(context.id === undefined ? {} : { id: context.id }),
      ...(context.log === undefined ? {} : { log: context.log }),
      ...(context.warn === undefined ? {} : { warn: context.warn }),
      ...(context.abort === undefined ? {} : { abort: context.abort }),
    },
  );
  const session = await startGuiSession(options, {
    border: borderFor(config, OPEN_PROFILE),
    clipboard: config.gui.clipboard,
    sound: false,
    env: context.env,
    ...(context.onStep === undefined ? {} : { onStep: context.onStep }),
  });
  if (edit === undefined) return session;
  // The guest's file is taken aside only once QEMU is gone: nothing of the VM can write it after that.
  const finished = session.finished.then(async (outcome) => {
    await session.sandbox.stop();
    await edit.hold(session.sandbox.layout.exportDir);
    return outcome;
  });
  return { ...session, finished, edit };
}
