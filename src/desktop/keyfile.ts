// Line-preserving reader/editor for Desktop Entry key files (desktop entries, mimeapps.list, mimeinfo.cache).
// `ini` drops comments and treats `;` as a comment start, which corrupts these files; here every line is kept
// raw, so an unchanged file serialises byte-for-byte and an edit touches only the lines it means to.
import { invalidArgument } from '../errors.js';

type Line =
  | { kind: 'blank' | 'comment' | 'invalid'; raw: string }
  | { kind: 'group'; raw: string; name: string }
  | { kind: 'entry'; raw: string; group: string | undefined; key: string; locale: string | undefined; prefix: string; value: string };

type EntryLine = Extract<Line, { kind: 'entry' }>;

const GROUP_RE = /^\[([^[\]\x00-\x1f]+)\]\s*$/;
const ENTRY_RE = /^([^=[\]\s][^=[\]]*?)(?:\[([^\]]+)\])?\s*=\s*/;

function parseLine(raw: string, group: string | undefined): Line {
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  const trimmed = text.trimStart();
  if (trimmed === '') return { kind: 'blank', raw };
  if (trimmed.startsWith('#')) return { kind: 'comment', raw };
  const header = GROUP_RE.exec(trimmed);
  if (header?.[1] !== undefined) return { kind: 'group', raw, name: header[1] };
  const entry = ENTRY_RE.exec(trimmed);
  if (entry?.[1] === undefined || group === undefined) return { kind: 'invalid', raw };
  const prefixLength = text.length - trimmed.length + entry[0].length;
  return {
    kind: 'entry',
    raw,
    group,
    key: entry[1].trimEnd(),
    locale: entry[2],
    prefix: text.slice(0, prefixLength),
    value: text.slice(prefixLength),
  };
}

/** Undoes the string escapes `\s \n \t \r \\`. Unknown escapes are kept as written, as most readers do. */
export function unescapeValue(value: string): string {
  return value.replace(/\\([sntr\\])/g, (_match, c: string) => ({ s: ' ', n: '\n', t: '\t', r: '\r', '\\': '\\' })[c] ?? c);
}

export function escapeValue(value: string): string {
  const escaped = value.replace(/[\\\n\t\r]/g, (c) => ({ '\\': '\\\\', '\n': '\\n', '\t': '\\t', '\r': '\\r' })[c] ?? c);
  // Leading spaces would be eaten by the parser after `=`.
  return escaped.replace(/^ +/, (spaces) => '\\s'.repeat(spaces.length));
}

/** Splits a `;`-list: `\;` is a literal semicolon, the final `;` is optional, other escapes are undone. */
export function parseList(value: string): string[] {
  const items: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && i + 1 < value.length) {
      // `\;` becomes a bare `;` here; unescapeValue leaves it alone, and backslashes always travel in pairs.
      current += value[i + 1] === ';' ? ';' : value.slice(i, i + 2);
      i++;
    } else if (c === ';') {
      items.push(unescapeValue(current));
      current = '';
    } else {
      current += c;
    }
  }
  if (current !== '') items.push(unescapeValue(current));
  return items;
}

export function formatList(items: readonly string[]): string {
  return items.map((item) => `${escapeValue(item).replace(/;/g, '\\;')};`).join('');
}

function checkName(what: string, name: string, bad: RegExp): void {
  if (name === '' || bad.test(name) || name !== name.trim()) {
    throw invalidArgument(`Invalid key-file ${what} ${JSON.stringify(name)}.`, `Use a ${what} without brackets, '=', control characters or surrounding spaces.`);
  }
}

export class KeyFile {
  private constructor(
    private readonly lines: Line[],
    private readonly finalNewline: boolean,
    private readonly eol: string,
  ) {}

  static parse(text: string): KeyFile {
    const finalNewline = text.endsWith('\n');
    const raws = text === '' ? [] : (finalNewline ? text.slice(0, -1) : text).split('\n');
    const lines: Line[] = [];
    let group: string | undefined;
    for (const raw of raws) {
      const line = parseLine(raw, group);
      if (line.kind === 'group') group = line.name;
      lines.push(line);
    }
    return new KeyFile(lines, finalNewline, raws[0]?.endsWith('\r') === true ? '\r' : '');
  }

  toString(): string {
    const body = this.lines.map((line) => line.raw).join('\n');
    return this.finalNewline ? `${body}\n` : body;
  }

  /** Group names in file order; a repeated group is listed once (its keys merge, as GLib does). */
  groups(): string[] {
    return [...new Set(this.lines.flatMap((line) => (line.kind === 'group' ? [line.name] : [])))];
  }

  hasGroup(group: string): boolean {
    return this.lines.some((line) => line.kind === 'group' && line.name === group);
  }

  /** Unlocalised entries of a group, in file order; for a repeated key the last value wins. */
  entries(group: string): Array<{ key: string; value: string }> {
    const values = new Map<string, string>();
    for (const line of this.entryLines(group)) if (line.locale === undefined) values.set(line.key, line.value);
    return [...values].map(([key, value]) => ({ key, value }));
  }

  /** The value as written (escapes not undone). */
  getRaw(group: string, key: string, locale?: string): string | undefined {
    return this.findLast(group, key, locale)?.value;
  }

  getString(group: string, key: string): string | undefined {
    const raw = this.getRaw(group, key);
    return raw === undefined ? undefined : unescapeValue(raw);
  }

  getList(group: string, key: string): string[] | undefined {
    const raw = this.getRaw(group, key);
    return raw === undefined ? undefined : parseList(raw);
  }

  /** `true`/`false` per the spec (GLib also accepts 1/0); anything else counts as absent. */
  getBoolean(group: string, key: string): boolean | undefined {
    const raw = this.getRaw(group, key)?.trim();
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    return undefined;
  }

  /** Desktop Entry locale matching: lang_COUNTRY@MODIFIER, lang_COUNTRY, lang@MODIFIER, lang, then the plain key. */
  getLocaleString(group: string, key: string, locale: string | undefined): string | undefined {
    for (const candidate of localeCandidates(locale)) {
      const raw = this.getRaw(group, key, candidate);
      if (raw !== undefined) return unescapeValue(raw);
    }
    return this.getString(group, key);
  }

  /** Sets a value as written (caller escapes); replaces the key's line in place, or adds one to the group. */
  setRaw(group: string, key: string, rawValue: string, locale?: string): void {
    checkName('group', group, /[[\]\x00-\x1f]/);
    checkName('key', key, /[=[\]\x00-\x1f]/);
    if (locale !== undefined) checkName('locale', locale, /[=[\]\x00-\x1f]/);
    if (/[\n\r]/.test(rawValue)) throw invalidArgument('A key-file value cannot contain a line break.', 'Escape it as \\n (setString does).');
    const matches = this.entryLines(group).filter((line) => line.key === key && line.locale === locale);
    const last = matches.at(-1);
    const fullKey = locale === undefined ? key : `${key}[${locale}]`;
    if (last !== undefined) {
      // Later duplicates would shadow the new value in readers that take the first one; keep exactly one line.
      for (const stale of matches.slice(0, -1)) this.lines.splice(this.lines.indexOf(stale), 1);
      // Keep the line's own spelling of `Key = ` so the diff shows only the value.
      this.replace(last, `${last.prefix}${rawValue}${last.raw.endsWith('\r') ? '\r' : ''}`);
      return;
    }
    this.addGroup(group);
    this.lines.splice(this.insertionPoint(group), 0, parseLine(`${fullKey}=${rawValue}${this.eol}`, group));
  }

  setString(group: string, key: string, value: string): void {
    this.setRaw(group, key, escapeValue(value));
  }

  setList(group: string, key: string, items: readonly string[]): void {
    this.setRaw(group, key, formatList(items));
  }

  /** Removes every line of the key in the group (only the given locale's lines when `locale` is set). */
  removeKey(group: string, key: string, locale?: string): boolean {
    const doomed = this.entryLines(group).filter((line) => line.key === key && line.locale === locale);
    for (const line of doomed) this.lines.splice(this.lines.indexOf(line), 1);
    return doomed.length > 0;
  }

  /** Appends an empty group at the end (after a blank line) unless it exists. */
  addGroup(group: string): void {
    checkName('group', group, /[[\]\x00-\x1f]/);
    if (this.hasGroup(group)) return;
    const last = this.lines.at(-1);
    if (last !== undefined && last.kind !== 'blank') this.lines.push({ kind: 'blank', raw: this.eol });
    this.lines.push({ kind: 'group', raw: `[${group}]${this.eol}`, name: group });
  }

  /**
   * Removes a group that holds nothing but blank lines (every occurrence of its header), with the blank line
   * addGroup put before it when it was the file's last group. A group with entries or comments stays.
   */
  removeGroupIfEmpty(group: string): boolean {
    const headers = this.lines.flatMap((line, index) => (line.kind === 'group' && line.name === group ? [index] : []));
    const ends = headers.map((start) => {
      let end = start + 1;
      while (end < this.lines.length && this.lines[end]?.kind === 'blank') end++;
      return end;
    });
    const empty = headers.every((start, i) => {
      const end = ends[i] ?? start + 1;
      return end >= this.lines.length || this.lines[end]?.kind === 'group';
    });
    if (headers.length === 0 || !empty) return false;
    for (let i = headers.length - 1; i >= 0; i--) {
      const start = headers[i] ?? 0;
      const end = ends[i] ?? start + 1;
      const atEnd = end >= this.lines.length;
      const separator = atEnd && start > 0 && this.lines[start - 1]?.kind === 'blank' ? 1 : 0;
      this.lines.splice(start - separator, end - start + separator);
    }
    return true;
  }

  private entryLines(group: string): EntryLine[] {
    return this.lines.filter((line): line is EntryLine => line.kind === 'entry' && line.group === group);
  }

  private findLast(group: string, key: string, locale: string | undefined): EntryLine | undefined {
    return this.entryLines(group)
      .filter((line) => line.key === key && line.locale === locale)
      .at(-1);
  }

  private replace(line: EntryLine, raw: string): void {
    this.lines[this.lines.indexOf(line)] = parseLine(raw, line.group);
  }

  /** Just after the last entry of the group's last occurrence, so trailing comments and blank lines stay put. */
  private insertionPoint(group: string): number {
    let header = -1;
    this.lines.forEach((line, index) => {
      if (line.kind === 'group' && line.name === group) header = index;
    });
    let point = header + 1;
    for (let i = header + 1; i < this.lines.length; i++) {
      const line = this.lines[i];
      if (line === undefined || line.kind === 'group') break;
      if (line.kind === 'entry' || line.kind === 'invalid') point = i + 1;
    }
    return point;
  }
}

/** Lookup order for a POSIX locale name such as `de_DE.UTF-8@euro` (the encoding is ignored). */
export function localeCandidates(locale: string | undefined): string[] {
  if (locale === undefined || locale === '' || locale === 'C' || locale === 'POSIX') return [];
  const match = /^([^_.@]+)(?:_([^.@]+))?(?:\.[^@]*)?(?:@(.+))?$/.exec(locale);
  if (match?.[1] === undefined) return [];
  const [, lang, country, modifier] = match;
  const out: string[] = [];
  if (country !== undefined && modifier !== undefined) out.push(`${lang}_${country}@${modifier}`);
  if (country !== undefined) out.push(`${lang}_${country}`);
  if (modifier !== undefined) out.push(`${lang}@${modifier}`);
  out.push(lang);
  return out;
}

/** The message locale a desktop would use: LC_ALL, then LC_MESSAGES, then LANG. */
export function localeFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  return [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((value) => value !== undefined && value !== '');
}
