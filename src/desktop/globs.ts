// File-name matching with shared-mime-info's globs2 files (weight:type:pattern[:flags], `cs` = case-sensitive).
import path from 'node:path';
import type { FileReader } from './file-reader.js';

export interface GlobRule {
  weight: number;
  type: string;
  pattern: string;
  caseSensitive: boolean;
  /** Compiled once, exact case and folded; undefined for a literal pattern (no wildcard), compared as a string. */
  regex: RegExp | undefined;
  foldedRegex: RegExp | undefined;
}

export interface NameMatch {
  /** Best types, most likely first; several when equally good patterns disagree. */
  types: string[];
  pattern: string | undefined;
}

function globToRegex(pattern: string, flags: string): RegExp | undefined {
  if (!/[*?[]/.test(pattern)) return undefined;
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[' && pattern.indexOf(']', i + 2) !== -1) {
      const end = pattern.indexOf(']', i + 2);
      const body = pattern.slice(i + 1, end);
      const negated = body.startsWith('!');
      source += `[${negated ? '^' : ''}${(negated ? body.slice(1) : body).replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, flags);
}

/** Parses one globs2 file; `__NOGLOBS__` lines name types whose globs in lower-precedence files are dropped. */
export function parseGlobs2(text: string): { rules: GlobRule[]; noGlobs: Set<string> } {
  const rules: GlobRule[] = [];
  const noGlobs = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const [weightText, type, pattern, flags] = line.split(':');
    const weight = Number(weightText);
    if (type === undefined || pattern === undefined || pattern === '' || !Number.isInteger(weight)) continue;
    const lowerType = type.toLowerCase();
    if (pattern === '__NOGLOBS__') {
      noGlobs.add(lowerType);
      continue;
    }
    const caseSensitive = (flags ?? '').split(',').includes('cs');
    rules.push({ weight, type: lowerType, pattern, caseSensitive, regex: globToRegex(pattern, 's'), foldedRegex: globToRegex(pattern, 'is') });
  }
  return { rules, noGlobs };
}

/** Merges globs2 files, highest precedence first. */
export function mergeGlobs(files: ReadonlyArray<ReturnType<typeof parseGlobs2>>): GlobRule[] {
  const merged: GlobRule[] = [];
  const dropped = new Set<string>();
  for (const file of files) {
    merged.push(...file.rules.filter((rule) => !dropped.has(rule.type)));
    for (const type of file.noGlobs) dropped.add(type);
  }
  return merged;
}

export async function loadGlobs(reader: FileReader, mimeDirs: readonly string[]): Promise<GlobRule[]> {
  const texts = await Promise.all(mimeDirs.map((dir) => reader.readText(path.join(dir, 'globs2'))));
  return mergeGlobs(texts.flatMap((text) => (text === undefined ? [] : [parseGlobs2(text)])));
}

function matches(rule: GlobRule, name: string, exactCase: boolean): boolean {
  if (exactCase) return rule.regex === undefined ? rule.pattern === name : rule.regex.test(name);
  if (rule.caseSensitive) return false;
  return rule.foldedRegex === undefined ? rule.pattern.toLowerCase() === name.toLowerCase() : rule.foldedRegex.test(name);
}

function best(rules: GlobRule[]): NameMatch | undefined {
  if (rules.length === 0) return undefined;
  // Literal names beat globs; then the higher weight; then the longer (more specific) pattern.
  const literal = rules.filter((rule) => rule.regex === undefined);
  const pool = literal.length > 0 ? literal : rules;
  const top = Math.max(...pool.map((rule) => rule.weight));
  const heavy = pool.filter((rule) => rule.weight === top);
  const longest = Math.max(...heavy.map((rule) => rule.pattern.length));
  const winners = heavy.filter((rule) => rule.pattern.length === longest);
  return { types: [...new Set(winners.map((rule) => rule.type))], pattern: winners[0]?.pattern };
}

/**
 * The types a file name suggests. Exact-case matches are tried first (so `x.C` is C++ and `x.c` is C), then
 * case-insensitive ones for the patterns not marked `cs` (so `REPORT.PDF` is a PDF).
 */
export function matchName(rules: readonly GlobRule[], fileName: string): NameMatch {
  const name = path.posix.basename(fileName);
  const exact = best(rules.filter((rule) => matches(rule, name, true)));
  return exact ?? best(rules.filter((rule) => matches(rule, name, false))) ?? { types: [], pattern: undefined };
}
