// The one rule that says whether a file is from outside, and the mark's format. Pure: the adapters
// (origin.ts) read the file's attributes, the sidecar and the places, and hand them here.
import { withoutControls } from '../util/text.js';

/** NoFear's mark: where the file came from and when it was marked. */
export const ORIGIN_ATTR = 'user.nofear.origin';
/** The user's explicit "I trust this file": it wins over the place and over a browser's mark. */
export const TRUSTED_ATTR = 'user.nofear.trusted';
/** Chromium's (and wget/curl --xattr's) download mark. */
export const BROWSER_ATTR = 'user.xdg.origin.url';
export const ATTRS = [ORIGIN_ATTR, TRUSTED_ATTR, BROWSER_ATTR] as const;

/** Attribute values are written by other programs (a browser, a guest's save): bounded and cleaned before use. */
const MAX_VALUE = 2048;

export interface OriginMark {
  from: string;
  /** ISO 8601. */
  at: string;
}

export function encodeMark(mark: OriginMark): string {
  return JSON.stringify({ from: clean(mark.from), at: mark.at });
}

function clean(text: string): string {
  return withoutControls(text).slice(0, MAX_VALUE);
}

/** Whatever the attribute holds: a mark NoFear wrote, or (written by someone else) its text as the origin. */
export function decodeMark(untrustedValue: string): OriginMark {
  try {
    const parsed: unknown = JSON.parse(untrustedValue.slice(0, MAX_VALUE));
    if (parsed !== null && typeof parsed === 'object') {
      const { from, at } = parsed as { from?: unknown; at?: unknown };
      if (typeof from === 'string') return { from: clean(from), at: typeof at === 'string' ? clean(at) : '' };
    }
  } catch {
    // not NoFear's format: still a mark
  }
  return { from: clean(untrustedValue) || 'unknown', at: '' };
}

/** What is known of one file. */
export interface FileFacts {
  /** The untrusted place it lies under (resolved path), if any. */
  place: string | undefined;
  /** Attribute values (absent ones left out), from the file's xattrs or the sidecar. */
  attrs: Partial<Record<(typeof ATTRS)[number], string>>;
}

export type Verdict = { outside: true; why: string } | { outside: false; why: string; trusted: boolean };

/** The rule: trusted wins; else NoFear's mark, a browser's mark or an untrusted place make it from outside. */
export function judge(facts: FileFacts): Verdict {
  const { attrs } = facts;
  if (attrs[TRUSTED_ATTR] !== undefined) return { outside: false, why: 'trusted by you (nofearctl trust)', trusted: true };
  if (attrs[ORIGIN_ATTR] !== undefined) {
    const mark = decodeMark(attrs[ORIGIN_ATTR]);
    return { outside: true, why: `${mark.from}${mark.at === '' ? '' : `, marked ${mark.at}`}` };
  }
  if (attrs[BROWSER_ATTR] !== undefined) return { outside: true, why: `downloaded from ${clean(attrs[BROWSER_ATTR])}` };
  if (facts.place !== undefined) return { outside: true, why: `in ${facts.place}` };
  return { outside: false, why: 'no mark, not in an untrusted place', trusted: false };
}

/** The mark the watcher writes for a file that has none yet: the browser's address when there is one, else the place. */
export function arrivalMark(facts: FileFacts, now: Date): OriginMark {
  const url = facts.attrs[BROWSER_ATTR];
  return { from: url !== undefined ? `downloaded from ${clean(url)}` : `arrived in ${facts.place ?? 'an untrusted place'}`, at: now.toISOString() };
}
