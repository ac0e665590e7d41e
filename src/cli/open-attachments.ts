// nofear-open's in-process side of NoFear's message view (no service): each attachment the view exports
// is saved (src/open/attachment-export.ts) and opened, or converted to a safe PDF beside the message,
// in a NEW VM of this process, as if it had been named on the command line. The saved file goes after.
import path from 'node:path';
import type { Config } from '../config/index.js';
import { followExports, type SavedAttachment } from '../open/attachment-export.js';
import type { GuiSession } from '../sandbox/gui-session.js';
import { planOpen, type OpenPlan } from '../open/open-plan.js';
import type { OpenArgs } from './nofear-open-args.js';
import { convertCommand } from './open-convert.js';

export interface AttachmentRun {
  config: Config;
  args: OpenArgs;
  warn: (line: string) => void;
  /** Opens a planned file in its own VM and follows it to its end (nofear-open's openOne). */
  open(plan: OpenPlan): Promise<number>;
}

async function handle(saved: SavedAttachment, message: OpenPlan, run: AttachmentRun): Promise<void> {
  try {
    if (saved.action === 'convert') {
      await convertCommand({ ...run.args, targets: [saved.file], convert: true, dryRun: false, output: run.args.output ?? path.dirname(message.file) }, run.config);
      return;
    }
    await run.open(await planOpen(saved.file, { maxFileSizeBytes: run.config.open.maxFileSizeBytes }));
  } catch (error) {
    run.warn(`${message.file}: the attachment ${path.basename(saved.file)}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await saved.remove();
  }
}

/** Follows a message view's exports for as long as its VM runs; the opens they start are awaited by `pending`. */
export function followCliAttachments(plan: OpenPlan, session: GuiSession, run: AttachmentRun, pending: Promise<void>[]): void {
  const stdout = session.sandbox.ports.stdout;
  if (plan.view !== 'mail' || stdout === undefined) return;
  followExports(stdout, { env: process.env, log: run.warn, onAttachment: (saved) => void pending.push(handle(saved, plan, run)) });
}
