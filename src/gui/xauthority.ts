// The X cookie the jailed client needs, and no other: the user's Xauthority file holds cookies for
// every display and host they have used. The entries for our display are rewritten to FamilyWild, so
// that they match inside the jail, whose host name is not the host's. Parsing and writing are pure.
import { closeSync, constants as fsc, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { invalidArgument } from '../errors.js';

export interface XauthEntry {
  family: number;
  address: Buffer;
  /** The display number, as text. */
  number: string;
  name: string;
  data: Buffer;
}

const FAMILY_WILD = 0xffff;
const MAX_FILE = 1024 * 1024; // a larger Xauthority file is not one

export function parseXauthority(bytes: Buffer): XauthEntry[] {
  const entries: XauthEntry[] = [];
  let at = 0;
  const field = (): Buffer | undefined => {
    if (at + 2 > bytes.length) return undefined;
    const length = bytes.readUInt16BE(at);
    if (at + 2 + length > bytes.length) return undefined;
    const value = bytes.subarray(at + 2, at + 2 + length);
    at += 2 + length;
    return value;
  };
  while (at + 2 <= bytes.length) {
    const family = bytes.readUInt16BE(at);
    at += 2;
    const [address, number, name, data] = [field(), field(), field(), field()];
    if (address === undefined || number === undefined || name === undefined || data === undefined) break; // truncated: keep what parsed
    entries.push({ family, address, number: number.toString('latin1'), name: name.toString('latin1'), data });
  }
  return entries;
}

export function serializeXauthority(entries: readonly XauthEntry[]): Buffer {
  const parts: Buffer[] = [];
  const field = (value: Buffer) => {
    const length = Buffer.alloc(2);
    length.writeUInt16BE(value.length);
    parts.push(length, value);
  };
  for (const entry of entries) {
    const family = Buffer.alloc(2);
    family.writeUInt16BE(entry.family);
    parts.push(family);
    field(entry.address);
    field(Buffer.from(entry.number, 'latin1'));
    field(Buffer.from(entry.name, 'latin1'));
    field(entry.data);
  }
  return Buffer.concat(parts);
}

/** The cookies for one display number, usable from any host name. */
export function cookiesForDisplay(entries: readonly XauthEntry[], displayNumber: number): XauthEntry[] {
  const seen = new Set<string>();
  const out: XauthEntry[] = [];
  for (const entry of entries) {
    if (entry.number !== String(displayNumber) || seen.has(entry.name)) continue;
    seen.add(entry.name); // the first entry of each kind, as Xlib would pick
    out.push({ ...entry, family: FAMILY_WILD, address: Buffer.alloc(0) });
  }
  return out;
}

/** XAUTHORITY, else ~/.Xauthority, as Xlib looks for it. */
export function xauthorityPath(env: NodeJS.ProcessEnv): string | undefined {
  if (env.XAUTHORITY) return env.XAUTHORITY;
  return env.HOME ? path.join(env.HOME, '.Xauthority') : undefined;
}

/**
 * An Xauthority file's bytes, read without ever blocking or growing: opened non-blocking (a FIFO opens at
 * once and is refused), then it must be a regular file of at most 1 MiB (/dev/zero is a device). Undefined
 * when there is no such file; InvalidArgument for anything else at that path.
 */
export function readXauthorityFile(file: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, fsc.O_RDONLY | fsc.O_NONBLOCK | fsc.O_NOCTTY);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw invalidArgument(
      `The Xauthority file ${JSON.stringify(file)} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}).`,
      'pass the path in $XAUTHORITY, or leave the xauthority option out',
    );
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw invalidArgument(`The Xauthority file ${JSON.stringify(file)} is not a regular file.`, 'pass the path in $XAUTHORITY, or leave the xauthority option out');
    if (stat.size > MAX_FILE)
      throw invalidArgument(`The Xauthority file ${JSON.stringify(file)} is over ${MAX_FILE} bytes: not one.`, 'pass the path in $XAUTHORITY, or leave the xauthority option out');
    const bytes = Buffer.alloc(MAX_FILE + 1);
    let length = 0;
    for (let got = -1; got !== 0 && length < bytes.length; length += got) got = readSync(fd, bytes, length, bytes.length - length, length);
    if (length > MAX_FILE) throw invalidArgument(`The Xauthority file ${JSON.stringify(file)} grew past ${MAX_FILE} bytes while it was read.`);
    return bytes.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/** The jail's Xauthority content for the display, or undefined when the user has no cookie for it. */
export function jailXauthority(env: NodeJS.ProcessEnv, displayNumber: number): Buffer | undefined {
  const file = xauthorityPath(env);
  if (file === undefined) return undefined;
  let bytes: Buffer | undefined;
  try {
    bytes = readXauthorityFile(file);
  } catch {
    return undefined; // not a file to take a cookie from
  }
  if (bytes === undefined) return undefined; // no file: the server authorises by user (SI:localuser) or not at all
  const cookies = cookiesForDisplay(parseXauthority(bytes), displayNumber);
  return cookies.length > 0 ? serializeXauthority(cookies) : undefined;
}
