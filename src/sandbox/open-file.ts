// Opens one planned file in its own throwaway VM: a staged copy, the user's viewer, its window
// forwarded. One VM per file, so documents never see each other.
import type { Config } from '../config/index.js';
import { borderFor } from '../config/index.js';
import { startGuiSession, type GuiSession, type GuiStep } from './gui-session.js';
import type { HostWindow } from '../gui/client.js';
import { sandboxOptionsFrom } from './sandbox-options.js';
import type { OpenPlan } from './open-plan.js';
import { stageCopy, type CheckedFile } from './staging.js';

export interface OpenContext {
  config: Config;
  env: NodeJS.ProcessEnv;
  ownerKind: 'cli' | 'service';
  log?: (line: string) => void;
  warn?: (line: string) => void;
  onStep?: (step: GuiStep, atMs: number, window?: HostWindow) => void;
  abort?: AbortSignal;
  id?: string;
}

export const OPEN_PROFILE = 'temporary';

const stageInto = (checked: CheckedFile, name: string, maxBytes: number) => async (dir: string) => void (await stageCopy(checked, dir, name, maxBytes));

export function openInSandbox(plan: OpenPlan, context: OpenContext): Promise<GuiSession> {
  const { config } = context;
  const options = sandboxOptionsFrom(
    config,
    {
      argv: plan.argv,
      profile: OPEN_PROFILE,
      stdio: 'none',
      gui: true,
      // A web page needs the network; a file never does.
      net: plan.kind === 'url' ? 'user' : 'none',
      ...(plan.checked !== undefined ? { export: { bytes: plan.size, fill: stageInto(plan.checked, plan.stagedName, config.open.maxFileSizeBytes) } } : {}),
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
  return startGuiSession(options, {
    border: borderFor(config, OPEN_PROFILE),
    clipboard: config.gui.clipboard,
    sound: false,
    env: context.env,
    ...(context.onStep === undefined ? {} : { onStep: context.onStep }),
  });
}
