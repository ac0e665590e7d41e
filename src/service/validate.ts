// Arguments from the bus, checked before anything is done with them. Pure: plain values in, typed
// values out, or an InvalidArgument that names the problem.
import { invalidArgument } from '../errors.js';

export const MAX_ITEMS = 64;

/** A D-Bus variant as dbus-next hands it over. */
export interface VariantLike {
  signature: string;
  value: unknown;
}

export interface OptionSpec {
  [key: string]: 's' | 'b';
}

export const OPEN_OPTIONS: OptionSpec = { profile: 's', viewer: 's', wait: 'b' };
export const RUN_OPTIONS: OptionSpec = { gui: 'b', profile: 's', net: 's', shared_folder: 's', wait: 'b' };

export function checkStrings(values: unknown, what: string): string[] {
  if (!Array.isArray(values) || values.some((value) => typeof value !== 'string')) throw invalidArgument(`${what} must be an array of strings.`);
  if (values.length === 0) throw invalidArgument(`${what} is empty.`, 'pass at least one');
  if (values.length > MAX_ITEMS) throw invalidArgument(`${what} has ${values.length} entries; at most ${MAX_ITEMS} are accepted in one call.`, 'split the call');
  return values as string[];
}

export function checkOptions(options: unknown, spec: OptionSpec): Record<string, string | boolean> {
  if (options === null || typeof options !== 'object') throw invalidArgument('options must be a dictionary a{sv}.');
  const result: Record<string, string | boolean> = {};
  const entries = Object.entries(options as Record<string, VariantLike>);
  if (entries.length > MAX_ITEMS) throw invalidArgument('too many options.');
  for (const [key, variant] of entries) {
    const wanted = spec[key];
    if (wanted === undefined) throw invalidArgument(`Unknown option ${JSON.stringify(key)}; known: ${Object.keys(spec).join(', ')}.`);
    if (variant?.signature !== wanted) {
      throw invalidArgument(`Option ${key} must have type ${wanted}, not ${variant?.signature ?? 'unknown'}.`, `pass ${key} as a ${wanted === 's' ? 'string' : 'boolean'} variant`);
    }
    result[key] = variant.value as string | boolean;
  }
  if (typeof result.net === 'string' && result.net !== 'none' && result.net !== 'user') throw invalidArgument(`Option net must be "none" or "user", not ${JSON.stringify(result.net)}.`);
  return result;
}

export function checkAbsolute(file: string): string {
  if (!file.startsWith('/')) throw invalidArgument(`${JSON.stringify(file)} is not an absolute path.`, 'pass absolute paths');
  return file;
}
