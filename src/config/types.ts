// The shape of NoFear's configuration (config.ini), its defaults, and what parsing reports.
import type { ErrorCode } from '../errors.js';

export type Accel = 'auto' | 'kvm' | 'tcg';
export type NetMode = 'none' | 'user';
export type ClipboardPolicy = 'off' | 'to-guest';
/** When the guest's sound plays on the host ([gui] sound): media = audio and video files only. */
export type SoundPolicy = 'media' | 'always' | 'never';
/** Which files the desktop's default open sends to a VM: every file of a risky type, or only files from outside. */
export type TrustPolicy = 'everything' | 'marked';

/** The untrusted places NoFear watches when [trust] places is not set (expanded by src/trust/places.ts). */
export const DEFAULT_TRUST_PLACES: readonly string[] = ['xdg:DOWNLOAD', '/run/media/$USER', '$XDG_RUNTIME_DIR/gvfs', '/tmp/mozilla_${USER}0'];

/** The coloured frame the host's Xpra client draws around every forwarded window. */
export interface Border {
  /** An X11/CSS colour name as written (e.g. "OrangeRed") or "#rrggbb". */
  colour: string;
  /** Pixels, 1..45 (Xpra clips wider borders and turns off a zero one). */
  width: number;
}

/** One `[links] trusted` entry: `example.org` matches that host only; `*.example.org` its subdomains only. */
export interface TrustedDomain {
  host: string;
  subdomains: boolean;
}

/** Units are in the names, so a caller never has to guess MiB from bytes. */
export interface Config {
  vm: {
    /** Guest RAM, MiB ([vm] memory). */
    memoryMiB: number;
    /** vCPUs ([vm] cpus). */
    cpus: number;
    /** Accelerator choice; NOFEAR_ACCEL overrides it ([vm] accel). */
    accel: Accel;
    /** Guest network by default ([vm] net); `--net` overrides it per run. */
    net: NetMode;
    /** TCG translation cache, MiB ([vm] tb_size); ignored under KVM. */
    tbSizeMiB: number;
  };
  gui: {
    /** Border of profiles without their own ([gui] border). */
    border: Border;
    /** Host-to-guest clipboard ([gui] clipboard); the guest never writes the host's. */
    clipboard: ClipboardPolicy;
    /** The guest's sound to the host's speakers, never a microphone ([gui] sound). */
    sound: SoundPolicy;
  };
  /** Per-profile settings from [profile.NAME] sections; only valid entries appear. */
  profiles: Record<string, { border: Border }>;
  open: {
    /** Largest file `nofear-open` accepts, bytes ([open] max_file_size). */
    maxFileSizeBytes: number;
  };
  service: {
    /** Sandboxes running at once ([service] max_sandboxes). */
    maxSandboxes: number;
    /** Sum of guest RAM over all sandboxes, MiB ([service] max_guest_memory). */
    maxGuestMemoryMiB: number;
    /** Idle seconds before the service exits, 0 = never ([service] idle_exit). */
    idleExitSeconds: number;
    /** Seconds a request waits for a free slot before LimitReached ([service] queue_timeout). */
    queueTimeoutSeconds: number;
  };
  pool: {
    /** Ready VMs kept booted ([pool] size): "auto" follows [pool] memory and the recent use; 0 disables the pool. */
    size: number | 'auto';
    /** The most guest memory the ready VMs hold together, MiB ([pool] memory); "auto": a quarter of the RAM. */
    memoryMiB: number | 'auto';
    /** The pool empties while the host has less available memory than this, MiB ([pool] min_available_memory). */
    minAvailableMemoryMiB: number;
    /** Seconds without an open after which the pool empties, so the service can idle out ([pool] idle_timeout; 0 = never). */
    idleTimeoutSeconds: number;
  };
  links: {
    /** Domains whose links open in the host's own browser, with no VM ([links] trusted). */
    trusted: TrustedDomain[];
    /**
     * A link VM may reach the local network and this computer's own non-loopback addresses ([links] lan =
     * yes, the default); `no` fences them off (src/vm/passt.ts, LAN_FENCE_SCRIPT): the internet only.
     */
    lan: boolean;
    /**
     * A link within this many seconds of the last link a live link VM got opens in that VM's browser (a new
     * tab or window) when the link's shape matches ([links] reuse_seconds; 0, the default: every link its own VM).
     */
    reuseSeconds: number;
  };
  trust: {
    /** Where files arrive from outside, as written (~, $VAR, xdg:DOWNLOAD unexpanded) ([trust] places). */
    places: string[];
    /** [trust] policy: `everything` (every risky type in a VM) or `marked` (only files from outside). */
    policy: TrustPolicy;
    /** [trust] watch: whether the service watches the places and marks what arrives (it then stays up). */
    watch: boolean;
  };
  convert: {
    /** Tesseract's languages for --ocr, "deu+eng" ([convert] ocr_languages); "" = the locale's and English. */
    ocrLanguages: string;
  };
}

/** Where a setting's value came from: "default", "FILE:LINE" or "env NAME". */
export type Source = string;

export interface ConfigProblem {
  /** The errors.ts class the problem belongs to, for callers that turn it into an error. */
  code: ErrorCode;
  /** The config file's path, or "env NAME" for an environment variable. */
  origin: string;
  /** 1-based line in the file, when the problem sits on one. */
  line?: number;
  /** The setting or section concerned: "vm.memory", "[vmm]". */
  setting?: string;
  /** What is wrong, what is allowed, and what is used instead. */
  message: string;
}

export interface ConfigResult {
  config: Config;
  /** Keyed by "section.key" (and "profile.NAME.border"), one entry per effective setting. */
  sources: Record<string, Source>;
  problems: ConfigProblem[];
}

export const DEFAULT_SOURCE = 'default';

/** A fresh copy each time: callers and the parser mutate their own. */
export function defaultConfig(): Config {
  return {
    vm: { memoryMiB: 1024, cpus: 2, accel: 'auto', net: 'none', tbSizeMiB: 256 },
    gui: { border: { colour: 'OrangeRed', width: 3 }, clipboard: 'off', sound: 'media' },
    profiles: {},
    open: { maxFileSizeBytes: 2 * 1024 ** 3 },
    service: { maxSandboxes: 4, maxGuestMemoryMiB: 8192, idleExitSeconds: 60, queueTimeoutSeconds: 30 },
    pool: { size: 'auto', memoryMiB: 'auto', minAvailableMemoryMiB: 2048, idleTimeoutSeconds: 900 },
    links: { trusted: [], lan: true, reuseSeconds: 0 },
    trust: { places: [...DEFAULT_TRUST_PLACES], policy: 'everything', watch: false },
    convert: { ocrLanguages: '' },
  };
}

/** The border a profile's windows get: its own, else [gui] border. */
/** [vm] accel as every VM and doctor read it: "auto" leaves the choice to the probe (NOFEAR_ACCEL still wins). */
export function accelOfConfig(config: Config): 'kvm' | 'tcg' | undefined {
  return config.vm.accel === 'auto' ? undefined : config.vm.accel;
}

export function borderFor(config: Config, profile: string): Border {
  return config.profiles[profile]?.border ?? config.gui.border;
}
