// Arguments from the bus, checked before anything is done with them. Pure: plain values in, typed
// values out, or an InvalidArgument that names the problem.
import { invalidArgument } from '../../errors.js';
import { DPI_RANGE } from '../../convert/convert-plan.js';

/** Entries in one call's array argument: enough for any selection in a file manager. */
export const MAX_ITEMS = 64;
/** Bytes in one string argument (PATH_MAX is 4096; a URL may be longer, an argv entry too). */
export const MAX_STRING_BYTES = 16 * 1024;

/** A D-Bus variant as dbus-next hands it over. */
export interface VariantLike {
  signature: string;
  value: unknown;
}

/** s: a string, b: a boolean, u: an unsigned 32-bit number. */
export type OptionSpec = Readonly<Record<string, 's' | 'b' | 'u'>>;

const DISPLAY_OPTIONS = { display: 's', xauthority: 's', wayland_display: 's' } as const;
export const OPEN_OPTIONS: OptionSpec = { profile: 's', viewer: 's', wait: 'b', notify: 'b', edit: 'b', save_back: 's', ...DISPLAY_OPTIONS };
export const CONVERT_OPTIONS: OptionSpec = { output: 's', ocr: 'b', ocr_languages: 's', dpi: 'u', jpeg: 'b', wait: 'b', notify: 'b', request: 's' };
export const RUN_OPTIONS: OptionSpec = { gui: 'b', profile: 's', net: 's', shared_folder: 's', wait: 'b', ...DISPLAY_OPTIONS };

export interface CheckedOptions {
  profile?: string;
  viewer?: string;
  wait?: boolean;
  gui?: boolean;
  net?: 'none' | 'user';
  shared_folder?: string;
  notify?: boolean;
  display?: string;
  xauthority?: string;
  wayland_display?: string;
  edit?: boolean;
  save_back?: 'ask' | 'always' | 'never';
  output?: string;
  ocr?: boolean;
  /** With ocr: tesseract's languages, joined with + ("deu+eng"). */
  ocr_languages?: string;
  dpi?: number;
  jpeg?: boolean;
  /** Convert: the caller's id for the call, which Manager.Cancel takes (cancellable-calls.ts). */
  request?: string;
}

export function checkStrings(values: unknown, what: string): string[] {
  if (!Array.isArray(values) || values.some((value) => typeof value !== 'string')) throw invalidArgument(`${what} must be an array of strings.`);
  if (values.length === 0) throw invalidArgument(`${what} is empty.`, 'pass at least one');
  if (values.length > MAX_ITEMS) throw invalidArgument(`${what} has ${values.length} entries; at most ${MAX_ITEMS} are accepted in one call.`, 'split the call');
  for (const value of values as string[]) checkString(value, what);
  return values as string[];
}

export function checkString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw invalidArgument(`${what} must be a string.`);
  if (Buffer.byteLength(value) > MAX_STRING_BYTES) throw invalidArgument(`An entry of ${what} is over ${MAX_STRING_BYTES} bytes.`);
  return value;
}

const TYPE_WORDS = { s: ' string', b: ' boolean', u: 'n unsigned integer (u)' } as const;

function isVariant(value: unknown): value is VariantLike {
  return value !== null && typeof value === 'object' && typeof (value as VariantLike).signature === 'string' && 'value' in value;
}

export function checkOptions(options: unknown, spec: OptionSpec): CheckedOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw invalidArgument('options must be a dictionary a{sv}.');
  const entries = Object.entries(options);
  if (entries.length > MAX_ITEMS) throw invalidArgument(`options has ${entries.length} entries; at most ${MAX_ITEMS} are accepted.`);
  const result: Record<string, string | boolean | number> = {};
  for (const [key, variant] of entries) {
    const wanted = spec[key];
    if (wanted === undefined) throw invalidArgument(`Unknown option ${JSON.stringify(key)}; known: ${Object.keys(spec).join(', ')}.`);
    const got = isVariant(variant) ? variant.signature : 'unknown';
    const value: unknown = isVariant(variant) ? variant.value : undefined;
    const fits = wanted === 's' ? typeof value === 'string' : wanted === 'u' ? typeof value === 'number' && Number.isInteger(value) && value >= 0 : typeof value === 'boolean';
    if (got !== wanted || !fits) {
      throw invalidArgument(`Option ${key} must have type ${wanted}, not ${got}.`, `pass ${key} as a${TYPE_WORDS[wanted]} variant`);
    }
    result[key] = wanted === 's' ? checkString(value, `option ${key}`) : (value as boolean | number);
  }
  if (result.net !== undefined && result.net !== 'none' && result.net !== 'user') throw invalidArgument(`Option net must be "none" or "user", not ${JSON.stringify(result.net)}.`);
  if (result.save_back !== undefined && !['ask', 'always', 'never'].includes(String(result.save_back))) {
    throw invalidArgument(`Option save_back must be "ask", "always" or "never", not ${JSON.stringify(result.save_back)}.`);
  }
  if (result.save_back !== undefined && result.edit !== true) throw invalidArgument('Option save_back goes with edit=true.');
  if (typeof result.output === 'string') checkAbsolute(result.output, 'output directory');
  if (typeof result.dpi === 'number' && !(result.dpi >= DPI_RANGE.min && result.dpi <= DPI_RANGE.max)) {
    throw invalidArgument(`Option dpi must be from ${DPI_RANGE.min} to ${DPI_RANGE.max}, not ${result.dpi}.`);
  }
  if (result.ocr_languages !== undefined && result.ocr !== true) throw invalidArgument('Option ocr_languages goes with ocr=true.');
  checkDisplayOptions(result);
  return result as CheckedOptions;
}

export function checkAbsolute(file: string, what = 'path'): string {
  if (!file.startsWith('/')) throw invalidArgument(`${JSON.stringify(file)} is not an absolute ${what}.`, 'pass absolute paths, e.g. $PWD/FILE');
  return file;
}

/** An X display name (":0", "host:10.0", "unix:1"), an absolute Xauthority path, a Wayland socket name. */
function checkDisplayOptions(options: Record<string, string | boolean | number>): void {
  const { display, xauthority, wayland_display: wayland } = options;
  if (typeof display === 'string' && !/^[A-Za-z0-9._/-]{0,255}:[0-9]{1,5}(\.[0-9]{1,3})?$/.test(display)) {
    throw invalidArgument(`Option display must be an X display name such as ":0", not ${JSON.stringify(display)}.`);
  }
  if (typeof xauthority === 'string' && (!xauthority.startsWith('/') || xauthority.includes('\0'))) {
    throw invalidArgument(`Option xauthority must be an absolute path, not ${JSON.stringify(xauthority)}.`);
  }
  if (typeof wayland === 'string' && !/^[A-Za-z0-9._/-]{1,255}$/.test(wayland)) {
    throw invalidArgument(`Option wayland_display must be a Wayland socket name such as "wayland-0", not ${JSON.stringify(wayland)}.`);
  }
}
