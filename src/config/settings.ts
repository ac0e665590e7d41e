// The table of config.ini settings: section, key, what is allowed, and where each lands in Config.
import { formatBorder, formatSize, memoryAllowed, parseBorder, parseChoice, parseInteger, parseMemoryMiB, parseOcrLanguages, parseSize, type Parsed } from './values.js';
import type { Config } from './types.js';
import { formatTrustedDomains, parseTrustedDomains } from './domains.js';

/** Facts about the host that bound some settings; parseConfig takes them so it stays pure. */
export interface HostLimits {
  /** Host RAM in MiB: the ceiling for [vm] memory. */
  hostMemoryMiB: number;
}

export interface Setting {
  section: string;
  key: string;
  /** Completes "use ...": the accepted values, in the user's terms. */
  allowed(limits: HostLimits): string;
  /** Stores a valid value into `config`; on a bad one leaves it alone and says why. */
  apply(config: Config, raw: string, limits: HostLimits): { ok: true } | { ok: false; reason: string };
  /** The value as config.ini would spell it. */
  show(config: Config): string;
}

/** Binds a parser to a Config field; the closure keeps each setting's value type checked. */
function define<T>(
  section: string,
  key: string,
  allowed: (limits: HostLimits) => string,
  parse: (raw: string, limits: HostLimits, config: Config) => Parsed<T>,
  field: { get: (config: Config) => T; set: (config: Config, value: T) => void },
  show: (value: T) => string = String,
): Setting {
  return {
    section,
    key,
    allowed,
    apply(config, raw, limits) {
      const parsed = parse(raw, limits, config);
      if (!parsed.ok) return parsed;
      field.set(config, parsed.value);
      return { ok: true };
    },
    show: (config) => show(field.get(config)),
  };
}

/** A guest kernel and NoFear's init need this much; config.ini and `nofear --mem` refuse less. */
export const GUEST_MEMORY_MIN_MIB = 128;
const MAX_MIB = 1024 * 1024; // 1 TiB: beyond any host NoFear runs on, and well inside a safe integer.
const MAX_SECONDS = 86_400;

const integer = (min: number, max: number) => (raw: string) => parseInteger(raw, min, max);
const parsePoolSize = (raw: string): Parsed<number | 'auto'> => (raw.trim().toLowerCase() === 'auto' ? { ok: true, value: 'auto' } : parseInteger(raw, 0, 8));
const choice =
  <T extends string>(choices: readonly T[]) =>
  (raw: string) =>
    parseChoice(raw, choices);
/** Paths, comma-separated (ini treats `;` as a comment); each must be absolute once expanded, so it starts with /, ~, $ or xdg:. */
function parsePlaces(raw: string): Parsed<string[]> {
  const places = raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const wrong = places.find((p) => !/^(\/|~(\/|$)|\$|xdg:[A-Z]+$)/.test(p));
  if (wrong !== undefined) return { ok: false, reason: `${JSON.stringify(wrong)} is not an absolute folder` };
  return { ok: true, value: places };
}
const range = (unit: string, min: number, max: number) => () => `a whole number${unit}, ${min}..${max}`;
const either = (choices: readonly string[]) => () => (choices.length === 2 ? `${choices[0]} or ${choices[1]}` : `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`);

export const BORDER_ALLOWED = 'a colour name (X11 or CSS, e.g. OrangeRed) or #rrggbb, optionally followed by ",WIDTH" (1..45 pixels)';

export const SETTINGS: readonly Setting[] = [
  define(
    'vm',
    'memory',
    (l) => memoryAllowed(GUEST_MEMORY_MIN_MIB, l.hostMemoryMiB, " (the host's RAM)"),
    (raw, l) => parseMemoryMiB(raw, GUEST_MEMORY_MIN_MIB, l.hostMemoryMiB),
    {
      get: (c) => c.vm.memoryMiB,
      set: (c, v) => (c.vm.memoryMiB = v),
    },
  ),
  define('vm', 'cpus', range('', 1, 64), integer(1, 64), {
    get: (c) => c.vm.cpus,
    set: (c, v) => (c.vm.cpus = v),
  }),
  define('vm', 'accel', either(['auto', 'kvm', 'tcg']), choice(['auto', 'kvm', 'tcg'] as const), {
    get: (c) => c.vm.accel,
    set: (c, v) => (c.vm.accel = v),
  }),
  define('vm', 'net', either(['none', 'user']), choice(['none', 'user'] as const), {
    get: (c) => c.vm.net,
    set: (c, v) => (c.vm.net = v),
  }),
  define('vm', 'tb_size', range(' of MiB', 32, 2048), integer(32, 2048), {
    get: (c) => c.vm.tbSizeMiB,
    set: (c, v) => (c.vm.tbSizeMiB = v),
  }),

  define(
    'gui',
    'border',
    () => BORDER_ALLOWED,
    (raw, _l, c) => parseBorder(raw, c.gui.border.width),
    {
      get: (c) => c.gui.border,
      set: (c, v) => (c.gui.border = v),
    },
    formatBorder,
  ),
  define('gui', 'clipboard', either(['off', 'to-guest']), choice(['off', 'to-guest'] as const), {
    get: (c) => c.gui.clipboard,
    set: (c, v) => (c.gui.clipboard = v),
  }),
  define('gui', 'sound', either(['media', 'always', 'never']), choice(['media', 'always', 'never'] as const), {
    get: (c) => c.gui.sound,
    set: (c, v) => (c.gui.sound = v),
  }),

  define(
    'open',
    'max_file_size',
    () => 'a size in bytes, or with a K, M, G or T suffix (powers of 1024), e.g. 2G',
    (raw) => parseSize(raw, 1),
    {
      get: (c) => c.open.maxFileSizeBytes,
      set: (c, v) => (c.open.maxFileSizeBytes = v),
    },
    formatSize,
  ),

  define('service', 'max_sandboxes', range('', 1, 64), integer(1, 64), {
    get: (c) => c.service.maxSandboxes,
    set: (c, v) => (c.service.maxSandboxes = v),
  }),
  define(
    'service',
    'max_guest_memory',
    () => memoryAllowed(GUEST_MEMORY_MIN_MIB, MAX_MIB),
    (raw) => parseMemoryMiB(raw, GUEST_MEMORY_MIN_MIB, MAX_MIB),
    {
      get: (c) => c.service.maxGuestMemoryMiB,
      set: (c, v) => (c.service.maxGuestMemoryMiB = v),
    },
  ),
  define('service', 'idle_exit', () => `a whole number of seconds, 0..${MAX_SECONDS} (0 = never exit)`, integer(0, MAX_SECONDS), {
    get: (c) => c.service.idleExitSeconds,
    set: (c, v) => (c.service.idleExitSeconds = v),
  }),
  define('service', 'queue_timeout', range(' of seconds', 0, MAX_SECONDS), integer(0, MAX_SECONDS), {
    get: (c) => c.service.queueTimeoutSeconds,
    set: (c, v) => (c.service.queueTimeoutSeconds = v),
  }),

  define('pool', 'size', () => 'auto (as many as [pool] memory and the recent use allow), or a whole number 0..8 (0 = no pool)', parsePoolSize, {
    get: (c) => c.pool.size,
    set: (c, v) => (c.pool.size = v),
  }),
  define(
    'pool',
    'memory',
    () => `auto (a quarter of the RAM), or ${memoryAllowed(0, MAX_MIB)}`,
    (raw): Parsed<number | 'auto'> => (raw.trim().toLowerCase() === 'auto' ? { ok: true, value: 'auto' } : parseMemoryMiB(raw, 0, MAX_MIB)),
    {
      get: (c) => c.pool.memoryMiB,
      set: (c, v) => (c.pool.memoryMiB = v),
    },
  ),
  define(
    'pool',
    'min_available_memory',
    () => memoryAllowed(0, MAX_MIB),
    (raw) => parseMemoryMiB(raw, 0, MAX_MIB),
    {
      get: (c) => c.pool.minAvailableMemoryMiB,
      set: (c, v) => (c.pool.minAvailableMemoryMiB = v),
    },
  ),
  define('pool', 'idle_timeout', () => `a whole number of seconds, 0..${MAX_SECONDS} (0 = never empty the pool)`, integer(0, MAX_SECONDS), {
    get: (c) => c.pool.idleTimeoutSeconds,
    set: (c, v) => (c.pool.idleTimeoutSeconds = v),
  }),
  define(
    'links',
    'trusted',
    () => 'domains separated by commas, e.g. example.org, *.corp.example (*.x: the subdomains of x only)',
    parseTrustedDomains,
    {
      get: (c) => c.links.trusted,
      set: (c, v) => (c.links.trusted = v),
    },
    formatTrustedDomains,
  ),
  define(
    'links',
    'lan',
    () => "yes (a link VM reaches the local network and this computer's other addresses too) or no (the internet only)",
    (raw) => {
      const parsed = parseChoice(raw, ['yes', 'no'] as const);
      return parsed.ok ? { ok: true, value: parsed.value === 'yes' } : parsed;
    },
    {
      get: (c) => c.links.lan,
      set: (c, v) => (c.links.lan = v),
    },
    (v) => (v ? 'yes' : 'no'),
  ),
  define(
    'links',
    'reuse_seconds',
    () => `a whole number of seconds, 0..${MAX_SECONDS} (0 = every link in its own VM; N: a link within N seconds of the last one opens in the same VM's browser)`,
    integer(0, MAX_SECONDS),
    {
      get: (c) => c.links.reuseSeconds,
      set: (c, v) => (c.links.reuseSeconds = v),
    },
  ),
  define(
    'trust',
    'places',
    () => 'a comma-separated list of folders (~, $VAR and xdg:DOWNLOAD are expanded)',
    parsePlaces,
    {
      get: (c) => c.trust.places,
      set: (c, v) => (c.trust.places = v),
    },
    (v) => v.join(', '),
  ),
  define('trust', 'policy', either(['everything', 'marked']), choice(['everything', 'marked'] as const), {
    get: (c) => c.trust.policy,
    set: (c, v) => (c.trust.policy = v),
  }),
  define(
    'trust',
    'watch',
    either(['on', 'off']),
    (raw) => {
      const parsed = parseChoice(raw, ['on', 'off'] as const);
      return parsed.ok ? { ok: true, value: parsed.value === 'on' } : parsed;
    },
    {
      get: (c) => c.trust.watch,
      set: (c, v) => (c.trust.watch = v),
    },
    (v) => (v ? 'on' : 'off'),
  ),

  define('convert', 'ocr_languages', () => "tesseract language names joined with +, e.g. deu+eng (empty: the locale's language and English)", parseOcrLanguages, {
    get: (c) => c.convert.ocrLanguages,
    set: (c, v) => (c.convert.ocrLanguages = v),
  }),
];

/** Fixed sections, in the order `nofearctl config` prints them. */
export const SECTIONS: readonly string[] = [...new Set(SETTINGS.map((s) => s.section))];

export const settingName = (s: Pick<Setting, 'section' | 'key'>) => `${s.section}.${s.key}`;

/** [profile.NAME] sections: NAME follows the profile store's rule (letters, digits, '.', '_', '-'). */
export const PROFILE_SECTION_PREFIX = 'profile.';
export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const PROFILE_KEYS: readonly string[] = ['border'];
