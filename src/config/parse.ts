// parseConfig: config.ini text to a typed Config; every mistake becomes a problem and keeps the default.
import os from 'node:os';
import ini from 'ini';
import { LineIndex, type KeyLine } from './lines.js';
import { sortProblems } from './problems.js';
import { BORDER_ALLOWED, PROFILE_KEYS, PROFILE_NAME, PROFILE_SECTION_PREFIX, SECTIONS, SETTINGS, settingName, type HostLimits } from './settings.js';
import { closest } from './suggest.js';
import { DEFAULT_SOURCE, defaultConfig, type Config, type ConfigProblem, type ConfigResult } from './types.js';
import { formatBorder, parseBorder } from './values.js';

export type ParseOptions = Partial<HostLimits>;

/** Every fixed setting starts out as "default"; profile entries are added as they are read. */
export function defaultSources(): Record<string, string> {
  return Object.fromEntries(SETTINGS.map((s) => [settingName(s), DEFAULT_SOURCE]));
}

export function hostMemoryMiB(): number {
  return Math.floor(os.totalmem() / 1024 ** 2);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `ini` nests dotted sections ([profile.work] becomes {profile: {work: {...}}}); flatten them back
 * to their dotted names. Keys before any header land in section "".
 */
function sectionsOf(tree: unknown): Map<string, Map<string, unknown>> {
  const out = new Map<string, Map<string, unknown>>();
  const walk = (node: Record<string, unknown>, name: string) => {
    const keys = new Map<string, unknown>();
    let children = 0;
    for (const [key, value] of Object.entries(node)) {
      if (isRecord(value)) {
        children++;
        walk(value, name === '' ? key : `${name}.${key}`);
      } else {
        keys.set(key, value);
      }
    }
    // A node with only subsections is `ini`'s intermediate object, not a header the user wrote.
    if (keys.size > 0 || (children === 0 && name !== '')) out.set(name, keys);
  };
  if (isRecord(tree)) walk(tree, '');
  return out;
}

/** The text of a value as written, or why there is none. */
function valueText(value: unknown, where: KeyLine | undefined): { raw: string } | { reason: string } {
  if (where !== undefined && where.rawValue === undefined) return { reason: 'no value' };
  if (Array.isArray(value)) return { reason: 'written as a list (KEY[]); give it once' };
  // `ini` starts a comment at '#' even mid-line, so "border = #ff4500" reaches us empty: take the raw text.
  if (value === '' && where?.rawValue?.startsWith('#') === true) return { raw: where.rawValue };
  // `ini` unquotes "x" but not "x" ; comment: finish the job so both spellings mean the same.
  if (typeof value === 'string') return { raw: /^(["']).*\1$/.test(value) && value.length >= 2 ? value.slice(1, -1) : value };
  // `ini` turns true, false and null into JSON values; none is valid here, but say what was written.
  if (typeof value === 'boolean' || value === null) return { raw: String(value) };
  return { reason: 'not a plain value' };
}

/** "vm.memory = \"lots\": not a whole number; use ... Keeping the default, 1024." */
function badValue(name: string, text: { raw: string } | { reason: string }, reason: string, allowed: string, kept: string): string {
  const subject = 'raw' in text ? `${name} = ${JSON.stringify(text.raw)}` : name;
  return `${subject}: ${reason}; use ${allowed}. ${kept}.`;
}

const KNOWN_SECTIONS = [...SECTIONS.map((s) => `[${s}]`), '[profile.NAME]'].join(', ');

/** What reading one section writes to: the config, where each value came from, and the problems. */
interface ParseState {
  config: Config;
  sources: Record<string, string>;
  file: string;
  lines: LineIndex;
  report: (line: number | undefined, setting: string, message: string) => void;
}

/** [profile.NAME]: a valid profile name, and only the keys a profile has (its border). */
function readProfileSection(section: string, entries: Map<string, unknown>, state: ParseState): void {
  const { config, sources, file, lines, report } = state;
  const profile = section.slice(PROFILE_SECTION_PREFIX.length);
  if (!PROFILE_NAME.test(profile)) {
    report(
      lines.sectionLine(section),
      `[${section}]`,
      `[${section}]: ${JSON.stringify(profile)} is not a profile name (letters, digits, ` + `'.', '_' and '-', starting with a letter or digit, 64 at most). Its keys are ignored.`,
    );
    return;
  }
  for (const [key, value] of entries) {
    const where = lines.keyLine(section, key);
    const name = `${section}.${key}`;
    if (!PROFILE_KEYS.includes(key)) {
      const guess = closest(key, PROFILE_KEYS);
      report(where?.line, name, `unknown key ${key} in [${section}]${guess === undefined ? '' : ` (did you mean ${guess}?)`}; ` + `known keys: ${PROFILE_KEYS.join(', ')}. Ignored.`);
      continue;
    }
    const text = valueText(value, where);
    const border = 'raw' in text ? parseBorder(text.raw, config.gui.border.width) : { ok: false as const, reason: text.reason };
    if (border.ok) {
      config.profiles[profile] = { border: border.value };
      sources[name] = where === undefined ? file : `${file}:${where.line}`;
    } else {
      report(where?.line, name, badValue(name, text, border.reason, BORDER_ALLOWED, `Profile ${profile} keeps gui.border, ${formatBorder(config.gui.border)}`));
    }
  }
}

/** [vm], [gui], [open]...: each known key applied through its setting; an unknown one named, with the nearest known key. */
function readFixedSection(section: string, entries: Map<string, unknown>, state: ParseState, limits: HostLimits): void {
  const { config, sources, file, lines, report } = state;
  const known = SETTINGS.filter((s) => s.section === section);
  for (const [key, value] of entries) {
    const where = lines.keyLine(section, key);
    const setting = known.find((s) => s.key === key);
    const name = `${section}.${key}`;
    if (setting === undefined) {
      const guess = closest(
        key,
        known.map((s) => s.key),
      );
      report(where?.line, name, `unknown key ${key} in [${section}]${guess === undefined ? '' : ` (did you mean ${guess}?)`}; ` + `known keys: ${known.map((s) => s.key).join(', ')}. Ignored.`);
      continue;
    }
    const text = valueText(value, where);
    const outcome = 'raw' in text ? setting.apply(config, text.raw, limits) : { ok: false as const, reason: text.reason };
    if (outcome.ok) {
      sources[name] = where === undefined ? file : `${file}:${where.line}`;
    } else {
      report(where?.line, name, badValue(name, text, outcome.reason, setting.allowed(limits), `Keeping the default, ${setting.show(config)}`));
    }
  }
}

export function parseConfig(text: string, file: string, options: ParseOptions = {}): ConfigResult {
  const limits: HostLimits = { hostMemoryMiB: options.hostMemoryMiB ?? hostMemoryMiB() };
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text; // editors on other systems add a BOM
  const lines = new LineIndex(body);
  const config: Config = defaultConfig();
  const sources = defaultSources();
  const problems: ConfigProblem[] = [];
  const report = (line: number | undefined, setting: string, message: string) => {
    problems.push({ code: 'InvalidArgument', origin: file, ...(line === undefined ? {} : { line }), setting, message });
  };

  const state: ParseState = { config, sources, file, lines, report };
  const sections = sectionsOf(ini.parse(body));
  // Fixed sections first: a profile's border without a width takes the effective [gui] width.
  const order = [...SECTIONS.filter((s) => sections.has(s)), ...[...sections.keys()].filter((s) => !SECTIONS.includes(s))];

  for (const section of order) {
    const entries = sections.get(section) ?? new Map<string, unknown>();
    const headerLine = lines.sectionLine(section);

    if (section === '') {
      for (const key of entries.keys()) {
        const home = SETTINGS.find((s) => s.key === key);
        report(lines.keyLine('', key)?.line, key, `${key} is outside any section${home === undefined ? '' : `: did you mean ${key} under [${home.section}]?`} Ignored.`);
      }
      continue;
    }

    if (SECTIONS.includes(section)) {
      readFixedSection(section, entries, state, limits);
      continue;
    }

    if (section.startsWith(PROFILE_SECTION_PREFIX)) {
      readProfileSection(section, entries, state);
      continue;
    }

    const guess = section === 'profile' ? undefined : closest(section, SECTIONS);
    const hint = section === 'profile' ? ' (a profile section names its profile: [profile.NAME], e.g. [profile.work])' : guess === undefined ? '' : ` (did you mean [${guess}]?)`;
    report(headerLine, `[${section}]`, `unknown section [${section}]${hint}; known sections: ${KNOWN_SECTIONS}. Its keys are ignored.`);
  }

  return { config, sources, problems: sortProblems(problems) };
}
