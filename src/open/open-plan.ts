// What opening a file means before any VM starts: the file checked, its type, the user's viewer for it
// and the guest argv with the staged copy's path. Shared by nofear-open (--dry-run too) and the service.
import path from 'node:path';
import { invalidArgument, NoFearError } from '../errors.js';
import { requireViewer, type Candidate, type Resolution } from '../desktop/mimeapps.js';
import { shellWord } from '../util/shell-word.js';
import { expandExec } from '../desktop/exec-line.js';
import { previousDefaultFor } from '../integrate/previous-default.js';
import { nativeArgvs } from '../integrate/native-launch.js';
import { trustingEntry, type TrustedDomain } from '../config/domains.js';
import type { CheckedFile } from './staging.js';
import { MESSAGE_VIEW_ID, MESSAGE_VIEW_NAME, messageViewArgv, wantsMessageView } from './mail-plan.js';
import { installFix } from '../desktop/type-packages.js';
import { terminalTextViewer } from './text-viewer.js';
import { checkOpenable, stagedNameFor } from './check.js';
import { detectType, installedViewers, readViewerData, resolveFor, type ViewerData } from './viewers.js';

/** Where the guest sees the staging export. */
export const GUEST_STAGING = '/staging';

export interface OpenPlan {
  /** A local file (staged copy, no network) or a web address (the browser, with --net user). */
  kind: 'file' | 'url';
  /** The path or URL as given (for messages, ps and D-Bus). */
  file: string;
  /** The regular file whose bytes are copied (a symlink's target). */
  source: string;
  size: number;
  /** The file as checked (a file's plan only): staging copies nothing that is not that very file. */
  checked: CheckedFile | undefined;
  /** The staged copy's name: the original's base name, so the viewer's title shows it. */
  stagedName: string;
  mime: string;
  viewer: string;
  viewerName: string;
  argv: string[];
  /** For --verbose: how the type and the viewer were chosen. */
  notes: string[];
  /** NoFear's message view (src/open/mail-plan.ts): it exports attachments on its stdout. */
  view?: 'mail';
  /** `nofear-open --net user`: the user asked for a network for this file (a web address always has one). */
  net?: 'user';
  /** `nofear-open --sound` (true) or `--no-sound` (false); absent: [gui] sound decides (src/open/sound-choice.ts). */
  sound?: boolean;
  /** A web address in [links] trusted (the entry that matched): `argv` runs on the host, in no VM. */
  trustedBy?: string;
}

export interface OpenOptions {
  viewer?: string | undefined;
  maxFileSizeBytes: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * The resolution's viewer; where there is none, the error lists what ListViewers would offer for the type
 * and retries with the first of them.
 */
function chooseViewer(resolution: Resolution, data: ViewerData, retry: (id: string) => string, install?: string): Candidate {
  if (resolution.chosen !== undefined) return resolution.chosen;
  const installed = installedViewers(data, resolution.mime);
  return requireViewer(resolution, { installed, retry, ...(install === undefined ? {} : { install }) });
}

export async function planOpen(file: string, options: OpenOptions): Promise<OpenPlan> {
  const env = options.env ?? process.env;
  const checked = await checkOpenable(file, options.maxFileSizeBytes, env);
  const { source, size } = checked;
  const data = await readViewerData(env);
  const decision = await detectType(source, file, data.mimeDb);
  const notes = [`type ${decision.mime} (from ${decision.from})${decision.note ? `: ${decision.note}` : ''}`];
  const resolution = resolveFor(data, decision.mime, options.viewer);
  for (const candidate of resolution.candidates.filter((c) => !c.usable)) notes.push(`skipped ${candidate.id}: ${candidate.reason ?? ''}`);
  const stagedName = stagedNameFor(file);
  const staged = path.posix.join(GUEST_STAGING, stagedName);
  if (wantsMessageView(decision.mime, stagedName, resolution, options.viewer)) {
    notes.push(`viewer ${MESSAGE_VIEW_ID}: no mail application is installed for ${decision.mime}; the message is rendered in the VM`);
    return { kind: 'file', file, source, size, checked, stagedName, mime: decision.mime, viewer: MESSAGE_VIEW_ID, viewerName: MESSAGE_VIEW_NAME, argv: messageViewArgv(staged), notes, view: 'mail' };
  }
  const terminal = resolution.chosen === undefined && options.viewer === undefined ? terminalTextViewer(resolution.lineage, staged, stagedName) : undefined;
  if (terminal !== undefined) {
    notes.push(`viewer ${terminal.name}: no graphical application for ${decision.mime} can run in the VM`);
    return { kind: 'file', file, source, size, checked, stagedName, mime: decision.mime, viewer: terminal.id, viewerName: terminal.name, argv: terminal.argv, notes };
  }
  const retry = (id: string) => `nofear-open --with ${shellWord(id)} ${shellWord(file)}`;
  const chosen = chooseViewer(resolution, data, retry, installFix(decision.mime));
  const entry = chosen.app?.entry;
  const [argv] = expandExec(entry?.exec ?? '', { files: [staged], name: entry?.name, icon: entry?.icon, location: entry?.path });
  if (argv === undefined || argv.length === 0) throw invalidArgument(`The Exec line of ${chosen.id} gives no command.`, 'pick another viewer with --with');
  notes.push(`viewer ${chosen.id} (${chosen.source} for ${chosen.mime}, from ${chosen.origin})`);
  return { kind: 'file', file, source, size, checked, stagedName, mime: decision.mime, viewer: chosen.id, viewerName: entry?.name ?? chosen.id, argv, notes };
}

/** A web address: the default browser (x-scheme-handler/https) in a VM with user networking through passt. */
export async function planUrl(url: string, scheme: 'http' | 'https', options: UrlOptions): Promise<OpenPlan> {
  const env = options.env ?? process.env;
  const mime = `x-scheme-handler/${scheme}`;
  const trustedBy = trustingEntry(url, options.trusted ?? []);
  if (trustedBy !== undefined) return planTrustedUrl(url, mime, trustedBy, env);
  const data = await readViewerData(env);
  const chosen = chooseViewer(
    resolveFor(data, mime, options.viewer),
    data,
    (id) => `nofear-open --with ${shellWord(id)} ${shellWord(url)}`,
    'install a web browser (e.g. sudo apt-get install firefox-esr), then run the same command again',
  );
  const entry = chosen.app?.entry;
  const [argv] = expandExec(entry?.exec ?? '', { files: [url], name: entry?.name, icon: entry?.icon, location: entry?.path });
  if (argv === undefined || argv.length === 0) throw invalidArgument(`The Exec line of ${chosen.id} gives no command.`, 'pick another browser with --with');
  return { ...urlPlanBase(url, mime), viewer: chosen.id, viewerName: entry?.name ?? chosen.id, argv, notes: [`browser ${chosen.id} (${chosen.source})`] };
}

export interface UrlOptions {
  viewer?: string | undefined;
  /** [links] trusted: these hosts open in the host's own browser. */
  trusted?: readonly TrustedDomain[];
  env?: NodeJS.ProcessEnv;
}

function urlPlanBase(url: string, mime: string): Pick<OpenPlan, 'kind' | 'file' | 'source' | 'size' | 'checked' | 'stagedName' | 'mime'> {
  return { kind: 'url', file: url, source: '', size: 0, checked: undefined, stagedName: '', mime };
}

/** A trusted link: the browser that was the default before NoFear, on the host (never xdg-open: that is NoFear). */
async function planTrustedUrl(url: string, mime: string, trustedBy: string, env: NodeJS.ProcessEnv): Promise<OpenPlan> {
  const app = await previousDefaultFor(mime, env);
  if (app === undefined) {
    throw new NoFearError('NoViewer', `${url} is trusted ([links] trusted = ${trustedBy}), but this desktop has no browser of its own for ${mime} besides NoFear.`, {
      fix: 'install a web browser (e.g. sudo apt-get install firefox-esr), or take the domain out of [links] trusted',
    });
  }
  const [argv] = nativeArgvs(app, [url]);
  if (argv === undefined) throw invalidArgument(`The Exec line of ${app.id} gives no command.`, `fix ${app.entry.path}`);
  const notes = [`trusted by [links] trusted = ${trustedBy}: the host's browser ${app.id} (${app.origin}), no VM`];
  return { ...urlPlanBase(url, mime), viewer: app.id, viewerName: app.entry.name ?? app.id, argv, notes, trustedBy };
}

/** The --dry-run block for one file (DESIGN: one `key: value` line each); `lanFenced`: [links] lan = no. */
export function formatDryRun(plan: OpenPlan, edit?: { saveBack: 'ask' | 'always' | 'never' }, sound?: boolean, lanFenced = false): string {
  // A web address always has a network; a file only with --net user (src/sandbox/open-file.ts decides the same way).
  const networked = plan.kind === 'url' || plan.net === 'user';
  const mode =
    edit === undefined
      ? `mode: ${plan.trustedBy !== undefined ? 'a trusted link: the browser on this computer, no VM' : `open a read-only copy in a throwaway VM${networked ? ' with user networking' : ' without network'}`}`
      : `mode: edit a writable copy in a throwaway VM; when the program ends and the copy changed: save back ${edit.saveBack === 'ask' ? 'if you say so' : edit.saveBack}`;
  const lines = [`${plan.kind === 'url' ? 'url' : 'file'}: ${plan.file}`, `mime: ${plan.mime}`, mode, `viewer: ${plan.viewer}`, `argv: ${JSON.stringify(plan.argv)}`];
  if (sound !== undefined && plan.trustedBy === undefined) lines.push(`sound: ${sound ? 'speaker only' : 'off'}`);
  if (plan.trustedBy !== undefined) lines.push('route: host');
  else if (networked) lines.push('net: passt');
  // src/sandbox/open-file.ts fences a web address's VM alone.
  if (plan.kind === 'url' && plan.trustedBy === undefined && lanFenced) lines.push('lan: no (the internet only)');
  return lines.join('\n');
}

/** The checked file of a file's plan (staging copies nothing else); a web address has none. */
export function checkedOf(plan: OpenPlan): CheckedFile {
  if (plan.checked === undefined) throw new Error(`${plan.file}: a web address has no file to stage`);
  return plan.checked;
}
