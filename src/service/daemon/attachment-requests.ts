// What the service does with an attachment NoFear's message view exported (src/open/attachment-export.ts):
// the saved file is opened, or converted to a safe PDF, in a NEW VM, exactly as if the user had asked
// for that file: planned by name and magic, staged as untrusted, never parsed here. The saved file goes
// once that VM has ended.
import path from 'node:path';
import { checkOutputDir, planConvert } from '../../convert/convert-plan.js';
import type { SavedAttachment } from '../../open/attachment-export.js';
import type { CallerDisplay } from '../../sandbox/launch.js';
import { planOpen, type OpenPlan } from '../../open/open-plan.js';
import { homeDir } from '../../util/xdg.js';
import { startSandbox, type RequestContext } from './request-parts.js';

/** A safe PDF of an attachment goes beside the message, or to the home directory when that is gone (a mail client's temporary folder). */
async function outputDirFor(message: OpenPlan, env: NodeJS.ProcessEnv): Promise<string> {
  return checkOutputDir(path.dirname(message.file)).catch(() => homeDir(env));
}

async function startFor(context: RequestContext, message: OpenPlan, saved: SavedAttachment, display: { display?: CallerDisplay }): Promise<void> {
  const { env } = context;
  const maxFileSizeBytes = context.config().open.maxFileSizeBytes;
  if (saved.action === 'convert') {
    const plan = await planConvert(saved.file, { outputDir: await outputDirFor(message, env), ocr: false, maxFileSizeBytes, env });
    const sandbox = await startSandbox(context, { kind: 'convert', plan });
    void sandbox.ended.finally(() => saved.remove());
    return;
  }
  const plan = await planOpen(saved.file, { maxFileSizeBytes, env });
  const sandbox = await startSandbox(context, { kind: 'open-plan', plan, ...display, onAttachment: attachmentHandler(context, plan, display) });
  void sandbox.ended.finally(() => saved.remove());
}

/** The handler an open of a message passes to its launch: each exported attachment starts its own VM. */
export function attachmentHandler(context: RequestContext, message: OpenPlan, display: { display?: CallerDisplay }): (saved: SavedAttachment) => void {
  return (saved) => {
    context.log(`${message.file}: the message view exported ${JSON.stringify(path.basename(saved.file))} to ${saved.action === 'open' ? 'open' : 'convert'} it in a new VM`);
    startFor(context, message, saved, display).catch(async (error: unknown) => {
      await saved.remove();
      const reason = error instanceof Error ? error.message : String(error);
      context.log(`the attachment ${path.basename(saved.file)} of ${message.file}: ${reason}`);
      await context.notifications.show({ summary: `NoFear could not ${saved.action} the attachment ${path.basename(saved.file)}`, body: reason }).catch(() => undefined);
    });
  };
}
