// The shapes a VM is asked for and where its files are: the types the VM pipeline (plan, argv, boot)
// shares with the sandbox lifecycle that fills them in.

export type StdioMode = 'pipe' | 'tty' | 'none';

/** A staged copy for the guest: its size decides where it is kept (RAM, or the cache for big files). */
export interface ExportSpec {
  bytes: number;
  /** Fills the export (mode 0755, exported read-only) before QEMU starts. */
  fill(exportDir: string): Promise<void>;
  /**
   * The guest may write there (--edit): the export lives on disk in the cache (tmpfs has the user
   * xattrs that mapped-xattr needs only from Linux 6.6) and is exported with security_model=mapped-xattr.
   */
  writable?: boolean;
}

export interface VmShape {
  profile: string;
  /** The profile's disk (persistent profiles); none for a throwaway VM. */
  disk?: string;
  memoryMiB: number;
  cpus: number;
  net: 'none' | 'user';
  /** With net 'user': keep the local network and this host's own addresses out ([links] lan = no). */
  fenceLan?: boolean;
  tbSizeMiB?: number;
  /** config.ini's accelerator when it is not "auto" (NOFEAR_ACCEL still wins). */
  accel?: 'kvm' | 'tcg';
  sharedFolder?: string;
  export?: ExportSpec;
  stdio: StdioMode;
  gui: boolean;
  sound: boolean;
  /** [gui] clipboard = to-guest: the guest's Xpra server takes the host's CLIPBOARD (the host client decides when). */
  clipboard?: boolean;
  /** The host screen's size, for the guest's X server (windows are placed on it as on the host's). */
  screen?: { width: number; height: number };
}

export interface SandboxLayout {
  id: string;
  /** <base>/<id>: the host's own files for this sandbox (its record); never in QEMU's view. */
  dir: string;
  /** <dir>/vm: all that QEMU's jail binds: its sockets, and the staging export unless that is in the cache. */
  vmDir: string;
  /** The staging export: <vmDir>/export, or <cache>/nofear/staging/<id> for a file too big for the runtime dir. */
  exportDir: string;
}
