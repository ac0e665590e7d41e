// Opens one planned file in its own throwaway VM: a staged copy, the user's viewer, its window
// forwarded. One VM per file, so documents never see each other.
import type { Config } from '../config/index.js';
import { borderFor } from '../config/index.js';
import { startGuiSession, type GuiSession, type GuiStep } from './gui-session.js';
import type { HostWindow } from '../gui/client.js';
import { guestEnvironment } from './guest-env.js';
import type { OpenPlan } from './open-plan.js';
import { stageCopy } from './staging.js';

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

export function openInSandbox(plan: OpenPlan, context: OpenContext): Promise<GuiSession> {
  const { config } = context;
  return startGuiSession(
    {
      argv: plan.argv,
      profile: OPEN_PROFILE,
      stdio: 'none',
      user: 'user',
      memoryMiB: config.vm.memoryMiB,
      cpus: config.vm.cpus,
      // A web page needs the network; a file never does.
      net: plan.kind === 'url' ? 'user' : 'none',
      tbSizeMiB: config.vm.tbSizeMiB,
      ...(config.vm.accel === 'auto' ? {} : { accel: config.vm.accel }),
      ...(plan.kind === 'file'
        ? {
            withExportDir: true,
            prepareExport: async (dir: string) => {
              await stageCopy(plan.source, dir, plan.stagedName, config.open.maxFileSizeBytes);
            },
          }
        : {}),
      files: [plan.file],
      env: { ...guestEnvironment({ root: false, interactive: false, hostEnv: context.env }), DISPLAY: ':100' },
      hostEnv: context.env,
      ownerKind: context.ownerKind,
      ...(context.id === undefined ? {} : { id: context.id }),
      ...(context.log === undefined ? {} : { log: context.log }),
      ...(context.warn === undefined ? {} : { warn: context.warn }),
      ...(context.abort === undefined ? {} : { abort: context.abort }),
    },
    {
      border: borderFor(config, OPEN_PROFILE),
      clipboard: config.gui.clipboard,
      sound: false,
      env: context.env,
      ...(context.onStep === undefined ? {} : { onStep: context.onStep }),
    },
  );
}
