// A desktop without Xpra (Debian 13 ships none): nofear-open shows each file as its safe PDF instead of a
// forwarded window. The file is converted in a throwaway VM as --convert does (pixels only), and the safe PDF
// opens in the host's own PDF viewer, the previous default (integrate/previous-default.ts: never NoFear, never
// through xdg-open or gio open), started natively outside NoFear's process group (integrate/native-launch.ts):
// it is the user's own program on a file NoFear made, and outlives this command.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { invalidArgument, NoFearError } from '../errors.js';
import type { Config } from '../config/index.js';
import { installFix } from '../desktop/type-packages.js';
import { previousDefaultFor } from '../integrate/previous-default.js';
import { launchNative } from '../integrate/native-launch.js';
import { classifyTarget } from '../open/target.js';
import { planConvert } from '../convert/convert-plan.js';
import { convertFile } from '../convert/convert-file.js';
import { notifyOnce } from '../service/bus/notifications.js';
import { xdgCacheHome } from '../util/xdg.js';
import { noticeWriter, reportFailure } from './cli-exit.js';
import type { OpenArgs } from './nofear-open-args.js';
import { progressText } from './open-convert.js';
import { StatusLine } from './status-line.js';

/** The one-line notice: what the user gets instead, what is lost, how to get the real thing. */
export function safeViewNotice(name: string): string {
  return (
    `Xpra is not installed, so ${name} is shown as its safe PDF (converted in a VM, pixels only) in your own PDF viewer: ` +
    'no editing, no links, forms or other interactivity. For the real application in a window: sudo apt-get install xpra'
  );
}

async function safeViewDir(env: NodeJS.ProcessEnv): Promise<string> {
  const dir = path.join(xdgCacheHome(env), 'nofear', 'safe-view');
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  return dir;
}

async function showOne(target: string, config: Config, args: OpenArgs, status: StatusLine): Promise<number> {
  const kind = classifyTarget(target);
  if (kind.kind === 'url') throw invalidArgument(`Web pages need Xpra: a browser's window cannot be shown as a PDF (${target}).`, 'sudo apt-get install xpra');
  const warn = noticeWriter(args.verbose, 'nofear-open', args.quiet);
  const plan = await planConvert(path.resolve(kind.path), { outputDir: await safeViewDir(process.env), ocr: false, maxFileSizeBytes: config.open.maxFileSizeBytes });
  const name = path.basename(plan.file);
  warn(safeViewNotice(name));
  if (!process.stderr.isTTY) await notifyOnce(process.env, `Showing ${name} as a safe PDF`, safeViewNotice(name));
  const result = await convertFile(plan, { config, env: process.env, ownerKind: 'cli', warn, onProgress: (progress) => status.write(progressText(name, progress)) });
  const viewer = await previousDefaultFor('application/pdf', process.env);
  if (viewer === undefined)
    throw new NoFearError('NoViewer', `The safe PDF ${result.output} is ready, but no PDF viewer is installed on this host to show it.`, {
      fix: installFix('application/pdf') ?? 'install a PDF viewer',
    });
  const [pid] = await launchNative(viewer, [result.output], process.env);
  status.end(`${name}: shown as its safe PDF ${result.output} in ${viewer.id}`);
  if (args.verbose) process.stderr.write(`nofear-open: ${name}: the viewer ${viewer.id} runs as pid ${pid ?? 'none'}, detached\n`);
  process.stdout.write(`${result.output}\n`);
  return 0;
}

/** nofear-open on a host without Xpra: every file as its safe PDF in the host's viewer. */
export async function safeViewCommand(args: OpenArgs, config: Config): Promise<number> {
  const status = StatusLine.forStderr(args);
  const statuses: number[] = [];
  for (const target of args.targets) {
    try {
      statuses.push(await showOne(target, config, args, status));
    } catch (error) {
      status.end();
      statuses.push(reportFailure('nofear-open', error));
    }
  }
  return statuses.find((s) => s !== 0) ?? 0;
}
