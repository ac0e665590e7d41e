// Value parsers and printers for config.ini settings: each says exactly what it accepts.
import { isColourName } from './colours.js';
import type { Border } from './types.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(reason: string): Parsed<T> => ({ ok: false, reason });

/** Digits only: "1e3", "+5", "5.0" and "0x10" are refused rather than half-understood. */
export function parseInteger(raw: string, min: number, max: number): Parsed<number> {
  const text = raw.trim();
  if (!/^\d+$/.test(text)) return bad('not a whole number');
  const value = Number(text);
  if (value < min || value > max) return bad('out of range');
  return ok(value);
}

/** Tesseract's language names joined with "+" (convert/ocr-languages.ts checks each is installed), or empty. */
export function parseOcrLanguages(raw: string): Parsed<string> {
  const text = raw.trim();
  return text === '' || /^[a-z]{3}(_[a-z]{2,8})?(\+[a-z]{3}(_[a-z]{2,8})?){0,5}$/.test(text) ? ok(text) : bad('not language names such as deu+eng');
}

export function parseChoice<T extends string>(raw: string, choices: readonly T[]): Parsed<T> {
  const text = raw.trim().toLowerCase();
  const choice = choices.find((c) => c === text);
  return choice === undefined ? bad('not a known choice') : ok(choice);
}

const SIZE_UNITS = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 } as const;
type SizeUnit = keyof typeof SIZE_UNITS;

/** Bytes, or a whole number with K/M/G/T in powers of 1024 ("2G"); case does not matter. */
export function parseSize(raw: string, min: number): Parsed<number> {
  const match = /^(\d+)\s*([kmgt]?)$/i.exec(raw.trim());
  if (match === null) return bad('not a size');
  const [, digits = '', unit = ''] = match;
  const value = Number(digits) * SIZE_UNITS[unit.toUpperCase() as SizeUnit];
  if (!Number.isSafeInteger(value)) return bad('too large');
  if (value < min) return bad('too small');
  return ok(value);
}

/**
 * Memory in MiB, as config.ini and `nofear --mem` both take it: a plain number is MiB ("2048"), or a whole
 * number with M, G or T ("512M", "2G"); case does not matter. min and max are MiB.
 */
export function parseMemoryMiB(raw: string, min: number, max: number): Parsed<number> {
  const match = /^(\d+)\s*([mgt]?)$/i.exec(raw.trim());
  if (match === null) return bad('not a size in MiB');
  const [, digits = '', unit = ''] = match;
  const value = Number(digits) * (unit === '' ? 1 : SIZE_UNITS[unit.toUpperCase() as SizeUnit] / SIZE_UNITS.M);
  if (!Number.isSafeInteger(value) || value > max) return bad('too large');
  if (value < min) return bad('too small');
  return ok(value);
}

/** A MiB count the way a person writes it back: 2G, 1536M. */
export const formatMiB = (mib: number): string => formatSize(mib * SIZE_UNITS.M);

/** The words every memory setting and --mem use for what they accept. */
export const memoryAllowed = (min: number, max: number, maxNote = '') => `a size in MiB (2048) or with M, G or T (512M, 2G), ${formatMiB(min)} to ${formatMiB(max)}${maxNote}`;

/** The shortest exact spelling, so that `nofearctl config` output can be pasted back. */
export function formatSize(bytes: number): string {
  for (const unit of ['T', 'G', 'M', 'K'] as const) {
    const factor = SIZE_UNITS[unit];
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return String(bytes);
}

/** Xpra draws 1..44 pixels and clips anything wider to 45; 0 would turn the marker off. */
export const BORDER_WIDTH = { min: 1, max: 45 } as const;

/** "COLOUR" or "COLOUR,WIDTH"; a missing width keeps `defaultWidth`. */
export function parseBorder(raw: string, defaultWidth: number): Parsed<Border> {
  const parts = raw.split(',').map((part) => part.trim());
  if (parts.length > 2) return bad('more than one comma');
  const [colour = '', widthText] = parts;
  if (!/^#[0-9a-f]{6}$/i.test(colour) && !isColourName(colour)) {
    return bad(colour === '' ? 'no colour' : `unknown colour ${JSON.stringify(colour)}`);
  }
  if (widthText === undefined) return ok({ colour, width: defaultWidth });
  const width = parseInteger(widthText, BORDER_WIDTH.min, BORDER_WIDTH.max);
  return width.ok ? ok({ colour, width: width.value }) : bad(`width ${JSON.stringify(widthText)} ${width.reason}`);
}

export function formatBorder(border: Border): string {
  return `${border.colour},${border.width}`;
}
