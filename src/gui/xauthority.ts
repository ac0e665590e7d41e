// The X cookie the jailed client needs, and no other: the user's Xauthority file holds cookies for
// every display and host they have used. The entries for our display are rewritten to FamilyWild, so
// that they match inside the jail, whose host name is not the host's. Parsing and writing are pure.
import { closeSync, constants as fsc, fstatSync, openSync, readSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
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

/**
 * Which entries Xlib would use for a display: its number, and its host as Xlib names it in the
 * file (this machine by its host name, loopback TCP included; another host by its name and addresses).
 */
export interface CookieScope {
  number: number;
  hostNames: string[];
  addresses: Buffer[];
}

const FAMILY_INTERNET = 0;
const FAMILY_INTERNET6 = 6;
const FAMILY_LOCAL = 256;
const LOOPBACK = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|\[::1\])$/i;

/** Pure: the scope of a display `host:number` ('' or 'unix' for this machine), given the host's resolved addresses. */
export function cookieScope(host: string, number: number, localHostName: string, resolved: readonly string[]): CookieScope {
  if (host === '' || host === 'unix' || LOOPBACK.test(host)) return { number, hostNames: [localHostName], addresses: [] };
  const addresses = resolved.flatMap((address) => {
    const bytes = isIP(address) === 4 ? Buffer.from(address.split('.').map(Number)) : isIP(address) === 6 ? ipv6Bytes(address) : undefined;
    return bytes === undefined ? [] : [bytes];
  });
  return { number, hostNames: [host], addresses };
}

function ipv6Bytes(address: string): Buffer | undefined {
  const [head = '', tail] = address.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  if (all.length !== 8 || !all.every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return undefined; // dotted tails are not Xauthority's
  return Buffer.from(all.flatMap((group) => [parseInt(group, 16) >> 8, parseInt(group, 16) & 0xff]));
}

/**
 * The cookies Xlib would send to this display, usable from any host name (the jail's is not the
 * host's). A TCP display's cookie is the one for that host only: never this machine's `:N` cookie
 * sent to another host that happens to use the same number.
 */
export function cookiesForDisplay(entries: readonly XauthEntry[], scope: CookieScope): XauthEntry[] {
  const matches = (entry: XauthEntry) =>
    entry.family === FAMILY_WILD ||
    (entry.family === FAMILY_LOCAL && scope.hostNames.includes(entry.address.toString('latin1'))) ||
    ((entry.family === FAMILY_INTERNET || entry.family === FAMILY_INTERNET6) && scope.addresses.some((address) => address.equals(entry.address)));
  const seen = new Set<string>();
  const out: XauthEntry[] = [];
  for (const entry of entries) {
    if (entry.number !== String(scope.number) || seen.has(entry.name) || !matches(entry)) continue;
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
export async function jailXauthority(env: NodeJS.ProcessEnv, display: { host: string; number: number }): Promise<Buffer | undefined> {
  const file = xauthorityPath(env);
  if (file === undefined) return undefined;
  let bytes: Buffer | undefined;
  try {
    bytes = readXauthorityFile(file);
  } catch {
    return undefined; // not a file to take a cookie from
  }
  if (bytes === undefined) return undefined; // no file: the server authorises by user (SI:localuser) or not at all
  const scope = cookieScope(display.host, display.number, hostname(), await addressesOf(display.host));
  const cookies = cookiesForDisplay(parseXauthority(bytes), scope);
  return cookies.length > 0 ? serializeXauthority(cookies) : undefined;
}

const RESOLVE_DEADLINE_MS = 2000;

/** A TCP display host's addresses, as Xlib would look them up; none within the deadline is none. */
async function addressesOf(host: string): Promise<string[]> {
  if (host === '' || host === 'unix' || LOOPBACK.test(host)) return [];
  if (isIP(host) !== 0) return [host];
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<string[]>((resolve) => (timer = setTimeout(() => resolve([]), RESOLVE_DEADLINE_MS)));
  const found = lookup(host, { all: true }).then(
    (answers) => answers.map((answer) => answer.address),
    () => [],
  );
  try {
    return await Promise.race([found, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
