// doctor's "what opens what": for each kind of risky file NoFear opens, the application that would run in
// the VM (the one nofear-open would pick), or the package that gives it one. A table: add a row for a type.
import os from 'node:os';
import { xdgDirsFromEnv } from '../desktop/xdg-dirs.js';
import { nodeFileReader } from '../desktop/file-reader.js';
import { loadMimeDatabase } from '../desktop/mime-detect.js';
import { loadAppDatabase } from '../desktop/app-database.js';
import { resolveViewer, type Resolution } from '../desktop/mimeapps.js';
import { localeFromEnv } from '../desktop/keyfile.js';
import { previousDefaults } from '../integrate/state.js';
import type { PackageName } from './doctor-install.js';
import { MESSAGE_VIEW_ID, MESSAGE_VIEW_NAME, wantsMessageView } from '../open/mail-plan.js';
import { terminalTextViewer } from '../open/text-viewer.js';
import { findExecutable } from '../util/which.js';
import { GUEST_USER_PATH } from '../vm/guest-env.js';

export interface OpenedType {
  mime: string;
  /** What a person calls it. */
  what: string;
  /** A viewer that runs in the VM (from the host's /usr), when none is installed. */
  packages: PackageName;
}

const EVINCE = { debian: 'evince', fedora: 'evince' };
const WRITER = { debian: 'libreoffice-writer', fedora: 'libreoffice-writer' };
const CALC = { debian: 'libreoffice-calc', fedora: 'libreoffice-calc' };
const IMPRESS = { debian: 'libreoffice-impress', fedora: 'libreoffice-impress' };
const IMAGES = { debian: 'eog', fedora: 'eog' };
const ARCHIVES = { debian: 'file-roller', fedora: 'file-roller' };
const MEDIA = { debian: 'totem', fedora: 'totem' };
// The view reads an Outlook .msg through msgconvert, run in the VM from the host's /usr (src/guest/mail-view.py).
const MSGCONVERT = { debian: 'libemail-outlook-message-perl libemail-address-perl', fedora: 'perl-Email-Outlook-Message' };

export const OPENED_TYPES: readonly OpenedType[] = [
  { mime: 'application/pdf', what: 'PDF', packages: EVINCE },
  { mime: 'application/postscript', what: 'PostScript', packages: EVINCE },
  { mime: 'application/epub+zip', what: 'EPUB e-book', packages: { debian: 'mupdf', fedora: 'mupdf' } },
  { mime: 'application/vnd.oasis.opendocument.text', what: 'OpenDocument text', packages: WRITER },
  { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', what: 'Word document', packages: WRITER },
  { mime: 'application/msword', what: 'Word 97 document', packages: WRITER },
  { mime: 'application/rtf', what: 'RTF document', packages: WRITER },
  { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', what: 'Excel spreadsheet', packages: CALC },
  { mime: 'application/vnd.ms-excel', what: 'Excel 97 spreadsheet', packages: CALC },
  { mime: 'application/vnd.oasis.opendocument.spreadsheet', what: 'OpenDocument spreadsheet', packages: CALC },
  { mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', what: 'PowerPoint presentation', packages: IMPRESS },
  { mime: 'application/vnd.ms-powerpoint', what: 'PowerPoint 97 presentation', packages: IMPRESS },
  { mime: 'application/vnd.oasis.opendocument.presentation', what: 'OpenDocument presentation', packages: IMPRESS },
  // Without a graphical text viewer, NoFear's terminal viewer (xterm running less) shows it in the VM.
  { mime: 'text/plain', what: 'text file', packages: { debian: 'xterm', fedora: 'xterm' } },
  { mime: 'text/html', what: 'web page', packages: { debian: 'firefox-esr', fedora: 'firefox' } },
  { mime: 'image/svg+xml', what: 'SVG image', packages: IMAGES },
  { mime: 'image/png', what: 'PNG image', packages: IMAGES },
  { mime: 'image/jpeg', what: 'JPEG image', packages: IMAGES },
  { mime: 'image/webp', what: 'WebP image', packages: IMAGES },
  { mime: 'application/zip', what: 'ZIP archive', packages: ARCHIVES },
  { mime: 'application/x-7z-compressed', what: '7-Zip archive', packages: ARCHIVES },
  { mime: 'audio/mpeg', what: 'MP3 audio', packages: MEDIA },
  { mime: 'video/mp4', what: 'MP4 video', packages: MEDIA },
  // Without a mail application, NoFear's own message view renders it in the VM (src/open/mail-plan.ts).
  { mime: 'message/rfc822', what: 'e-mail message', packages: { debian: 'thunderbird', fedora: 'thunderbird' } },
  { mime: 'application/mbox', what: 'mailbox (.mbox)', packages: { debian: 'thunderbird', fedora: 'thunderbird' } },
  { mime: 'application/vnd.ms-outlook', what: 'Outlook message (.msg)', packages: MSGCONVERT },
];

/** A program as the VM would find it: on the guest user's PATH, which is the host's /usr. */
export type ToolFinder = (tool: string) => string | undefined;
const inGuest: ToolFinder = (tool) => findExecutable(tool, { PATH: GUEST_USER_PATH });

/**
 * The view NoFear runs itself when the user's applications have none: its message view for mail (for a
 * .msg only where msgconvert is installed), its terminal viewer for text.
 */
function ownViewer(mime: string, resolution: Resolution, findTool: ToolFinder): OpensRow['viewer'] | undefined {
  if (wantsMessageView(mime, '', resolution, undefined)) {
    return mime === 'application/vnd.ms-outlook' && findTool('msgconvert') === undefined ? null : { id: MESSAGE_VIEW_ID, name: MESSAGE_VIEW_NAME };
  }
  if (resolution.chosen !== undefined) return undefined;
  const terminal = terminalTextViewer(resolution.lineage, '', '', findTool);
  return terminal === undefined ? undefined : { id: terminal.id, name: terminal.name };
}

export interface OpensRow {
  mime: string;
  what: string;
  /** The desktop id and name of the application that would run in the VM, or null. */
  viewer: { id: string; name: string } | null;
  /** When there is none: what to install. */
  install: PackageName | null;
}

/** The viewer nofear-open would choose for each type, read from this user's mimeapps.list and applications. */
export async function whatOpensWhat(env: NodeJS.ProcessEnv, types: readonly OpenedType[] = OPENED_TYPES, findTool: ToolFinder = inGuest): Promise<OpensRow[]> {
  const xdg = xdgDirsFromEnv(env, env.HOME ?? os.homedir());
  const mimeDb = await loadMimeDatabase(nodeFileReader, xdg);
  const apps = await loadAppDatabase(nodeFileReader, xdg, { tree: mimeDb.tree, locale: localeFromEnv(env) });
  const previous = await previousDefaults(env);
  return types.map(({ mime, what, packages }) => {
    const resolution = resolveViewer(apps, mimeDb.tree, mime, { previousDefaults: previous });
    const chosen = resolution.chosen;
    const viewer = ownViewer(mime, resolution, findTool) ?? (chosen === undefined ? null : { id: chosen.id, name: chosen.app?.entry.name ?? chosen.id });
    return { mime, what, viewer, install: viewer === null ? packages : null };
  });
}

export function formatOpens(rows: readonly OpensRow[]): string {
  const width = Math.max(0, ...rows.map((r) => r.what.length));
  const lines = rows.map((row) => {
    const opens = row.viewer === null ? `nothing: install one (Debian: ${row.install?.debian ?? '?'}; Fedora: ${row.install?.fedora ?? '?'})` : `${row.viewer.name} (${row.viewer.id})`;
    return `  ${row.what.padEnd(width)}  ${opens}`;
  });
  return `What opens what, in the VM (your usual application for each type):\n${lines.join('\n')}\n`;
}
