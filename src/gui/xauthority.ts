// The X cookie the jailed client needs, and no other: the user's Xauthority file holds cookies for
// every display and host they have used. The entries for our display are rewritten to FamilyWild, so
// that they match inside the jail, whose host name is not the host's. Parsing and writing are pure.
import { readFileSync } from 'node:fs';
import path from 'node:path';

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

/** The jail's Xauthority content for the display, or undefined when the user has no cookie for it. */
export function jailXauthority(env: NodeJS.ProcessEnv, displayNumber: number): Buffer | undefined {
  const file = xauthorityPath(env);
  if (file === undefined) return undefined;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined; // no file: the server authorises by user (SI:localuser) or not at all
  }
  if (bytes.length > MAX_FILE) return undefined;
  const cookies = cookiesForDisplay(parseXauthority(bytes), displayNumber);
  return cookies.length > 0 ? serializeXauthority(cookies) : undefined;
}
