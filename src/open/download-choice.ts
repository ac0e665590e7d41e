// Pure: which of the files a link VM's browser left in its Downloads folder may be offered to the user to
// keep, and under which names. Everything here is the guest's word (root in the VM): the names are made
// plain base names, only regular files (as the guest itself made them: mapped-xattr keeps a guest's
// symlink or FIFO as a host file holding its target) within the size limit count, at most a few of them.
import path from 'node:path';
import { safeAttachmentName } from './attachment-stream.js';
import { fitName } from '../util/publish.js';

/** One entry of the held Downloads folder, as the host's listing saw it. */
export interface HeldEntry {
  /** The entry's name as UTF-8, or undefined when its bytes are not UTF-8 (not offered). */
  name: string | undefined;
  /** What the host sees: a regular file, or anything else (a directory, a host symlink). */
  host: 'file' | 'other';
  /** What the guest made it (mapped-xattr's user.virtfs.mode): a regular file, something else, or not said. */
  guest: 'file' | 'other' | 'unsaid';
  size: number;
}

export interface DownloadLimits {
  /** Files offered at most (the rest are named as left out). */
  maxFiles: number;
  maxBytes: number;
}

export interface Offered {
  /** The entry's name in the held folder (to read it by). */
  held: string;
  /** The name it is kept under: a plain base name, never hidden, never a path. */
  name: string;
  size: number;
}

export interface DownloadChoice {
  offered: Offered[];
  /** Each entry left out, and why, in the user's words. */
  left: string[];
}

/** Browsers' names for a download still in progress (Firefox, Chromium, Epiphany, WebKit): never finished, never offered. */
const PARTIAL = /\.(part|crdownload|download|partial)$/i;

/** Pure: the entries to offer, in name order, and what was left out and why. */
export function chooseDownloads(entries: readonly HeldEntry[], limits: DownloadLimits): DownloadChoice {
  const offered: Offered[] = [];
  const left: string[] = [];
  const sorted = [...entries].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
  for (const entry of sorted) {
    const shown = entry.name === undefined ? 'a file with an unreadable name' : JSON.stringify(safeAttachmentName(entry.name));
    if (entry.name === undefined) left.push(`${shown}: its name is not text`);
    else if (entry.host !== 'file' || entry.guest === 'other') left.push(`${shown}: not a regular file`);
    else if (entry.name.startsWith('.') || PARTIAL.test(entry.name))
      continue; // the browser's own (hidden files, unfinished downloads)
    else if (entry.size > limits.maxBytes) left.push(`${shown}: over the ${limits.maxBytes}-byte limit ([open] max_file_size)`);
    else if (offered.length >= limits.maxFiles) left.push(`${shown}: more than ${limits.maxFiles} downloads`);
    else offered.push({ held: entry.name, name: safeAttachmentName(entry.name), size: entry.size });
  }
  return { offered, left };
}

/** `report.pdf`, then `report (2).pdf`, `report (3).pdf`, ...: a kept download never replaces a file. */
export function keptName(name: string, attempt: number): string {
  if (attempt === 1) return name;
  const { name: stem, ext } = path.parse(name);
  const suffix = ` (${attempt})${ext}`;
  return `${fitName(stem, 255 - Buffer.byteLength(suffix))}${suffix}`;
}
