// A desktop without Xpra (Debian 13 ships none): nofear-open shows each file as its safe PDF instead of a
// forwarded window. The file is converted in a throwaway VM as --convert does (pixels only), and the safe PDF
// opens in the host's own PDF viewer, the previous default (never NoFear, never through xdg-open or
// gio open, which could come back to NoFear), started natively and detached: it is the user's own program on
// a file NoFear made, so it runs outside NoFear's supervision and outlives this command.
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { invalidArgument } from '../errors.js';
import type { Config } from '../config/index.js';
import { loadAppDatabase } from '../desktop/app-database.js';
import { expandExec } from '../desktop/exec-line.js';
import { nodeFileReader } from '../desktop/file-reader.js';
import { localeFromEnv } from '../desktop/keyfile.js';
import { loadMimeDatabase } from '../desktop/mime-detect.js';
import { requireViewer, resolveViewer } from '../desktop/mimeapps.js';
import { installFix } from '../desktop/type-packages.js';
import { xdgDirsFromEnv } from '../desktop/xdg-dirs.js';
import { previousDefaults } from '../integrate/state.js';
import { classifyTarget } from '../sandbox/open-plan.js';
import { planConvert } from '../convert/convert-plan.js';
import { convertFile } from '../convert/convert-file.js';
import { notifyOnce } from '../service/notifications.js';
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

/** The host's PDF viewer as argv for `file`: the previous default, else GLib's choice, NoFear left out. */
export async function hostPdfViewer(file: string, env: NodeJS.ProcessEnv): Promise<{ id: string; argv: string[] }> {
  const xdg = xdgDirsFromEnv(env, env.HOME ?? os.homedir());
  const mimeDb = await loadMimeDatabase(nodeFileReader, xdg);
  const apps = await loadAppDatabase(nodeFileReader, xdg, { tree: mimeDb.tree, locale: localeFromEnv(env) });
  const resolution = resolveViewer(apps, mimeDb.tree, 'application/pdf', { previousDefaults: await previousDefaults(env) });
  const chosen = requireViewer(resolution, { installed: [], retry: (id) => id, ...withInstall(installFix('application/pdf')) });
  const entry = chosen.app?.entry;
  const [argv] = expandExec(entry?.exec ?? '', { files: [file], name: entry?.name, icon: entry?.icon, location: entry?.path });
  if (argv === undefined || argv.length === 0) throw invalidArgument(`The Exec line of ${chosen.id} gives no command.`, 'set another default PDF viewer');
  return { id: chosen.id, argv };
}

const withInstall = (install: string | undefined) => (install === undefined ? {} : { install });

/** Starts the viewer as the user's own program: its own session, no descriptors of ours, not waited for. */
function startDetached(argv: readonly string[], env: NodeJS.ProcessEnv): number | undefined {
  const [file = '', ...args] = argv;
  const child = spawn(file, args, { detached: true, stdio: 'ignore', env });
  child.on('error', () => {}); // reported below through its missing pid
  child.unref();
  return child.pid;
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
  const viewer = await hostPdfViewer(result.output, process.env);
  const pid = startDetached(viewer.argv, process.env);
  status.end(`${name}: shown as its safe PDF ${result.output} in ${viewer.id}${pid === undefined ? ' (it did not start)' : ''}`);
  if (args.verbose) process.stderr.write(`nofear-open: ${name}: the viewer ${viewer.id} runs as pid ${pid ?? 'none'}, detached\n`);
  process.stdout.write(`${result.output}\n`);
  return pid === undefined ? 125 : 0;
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
