// Wraps QEMU's argv in its jail: bubblewrap where it works (its own namespaces, only the files it
// needs), else setpriv's parent-death signal; resource limits with prlimit either way.
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { runTool } from '../util/run.js';

export type JailKind = 'bwrap' | 'setpriv';

export interface JailTools {
  bwrap: string;
  setpriv: string;
  prlimit: string;
}

export function jailTools(env: NodeJS.ProcessEnv = process.env): JailTools {
  return {
    bwrap: env.NOFEAR_BWRAP ?? '/usr/bin/bwrap',
    setpriv: env.NOFEAR_SETPRIV ?? '/usr/bin/setpriv',
    prlimit: env.NOFEAR_PRLIMIT ?? '/usr/bin/prlimit',
  };
}

/** A host path and where QEMU sees it inside the jail. */
/** bwrap's own /proc and minimal /dev for the jail, and an empty /tmp that goes with it. */
export const FRESH_PROC_DEV_TMP = ['--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp'] as const;

export interface Bind {
  source: string;
  target: string;
}

export interface JailSpec {
  kind: JailKind;
  tools: JailTools;
  /** What QEMU reads: its exports, kernel, initramfs. */
  readOnly: readonly Bind[];
  /** What QEMU writes: the sandbox's runtime dir, a shared folder, a profile disk. */
  readWrite: readonly Bind[];
  /** The VM has a NIC (QEMU user networking needs the host's network namespace). */
  network: boolean;
  kvm: boolean;
  /** fileSizeBytes: RLIMIT_FSIZE, for a VM whose export it writes (a cap on each file). */
  limits: { addressSpaceBytes: number; openFiles: number; fileSizeBytes?: number };
}

/** Top-level dirs that QEMU and its libraries live in; symlinked ones (merged /usr) are recreated as links. */
const SYSTEM_DIRS = ['/usr', '/bin', '/lib', '/lib64', '/sbin'] as const;

export function systemBinds(): string[] {
  const args: string[] = [];
  for (const dir of SYSTEM_DIRS) {
    let stat;
    try {
      stat = lstatSync(dir);
    } catch {
      continue;
    }
    if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
    else if (stat.isDirectory()) args.push('--ro-bind', dir, dir);
  }
  return args;
}

export function buildJailArgv(qemuArgv: readonly string[], spec: JailSpec): string[] {
  const fsize = spec.limits.fileSizeBytes === undefined ? [] : [`--fsize=${spec.limits.fileSizeBytes}`];
  const limited = [spec.tools.prlimit, `--as=${spec.limits.addressSpaceBytes}`, `--nofile=${spec.limits.openFiles}`, ...fsize, '--', ...qemuArgv];
  if (spec.kind === 'setpriv') {
    return [spec.tools.setpriv, '--pdeathsig', 'KILL', '--', ...limited];
  }
  // prettier-ignore
  const args = [
    spec.tools.bwrap,
    '--die-with-parent',
    '--unshare-all',
    ...(spec.network ? ['--share-net'] : []),
    '--new-session',
    '--cap-drop', 'ALL',
    '--clearenv',
    '--setenv', 'PATH', '/usr/bin:/bin',
    ...systemBinds(),
    ...FRESH_PROC_DEV_TMP,
    ...(spec.kvm ? ['--dev-bind', '/dev/kvm', '/dev/kvm'] : []),
  ];
  const covered = (file: string) => SYSTEM_DIRS.some((dir) => file === dir || file.startsWith(`${dir}/`));
  for (const bind of spec.readOnly) if (!(covered(bind.source) && bind.source === bind.target)) args.push('--ro-bind', bind.source, bind.target);
  for (const bind of spec.readWrite) args.push('--bind', bind.source, bind.target);
  args.push('--chdir', '/', '--', ...limited);
  return args;
}

let probed: Promise<JailKind> | undefined;
let probedFor = '';

/** Whether bwrap can build an unprivileged sandbox here: asked once per process, answered in < 2 s. */
export function probeJail(tools: JailTools): Promise<JailKind> {
  if (probed !== undefined && probedFor === tools.bwrap) return probed;
  probedFor = tools.bwrap;
  probed = (async () => {
    if (!existsSync(tools.bwrap)) return 'setpriv';
    const result = await runTool(tools.bwrap, ['--die-with-parent', '--unshare-all', '--new-session', ...systemBinds(), '--proc', '/proc', '--', '/bin/true'], { timeoutMs: 2000 }).catch(
      () => undefined,
    ); // bwrap that cannot run here: setpriv it is (doctor says why)
    return result !== undefined && result.exitCode === 0 ? 'bwrap' : 'setpriv';
  })();
  return probed;
}

/** An address-space ceiling for QEMU: guest RAM, the TCG cache and room for QEMU itself. */
export function addressSpaceLimit(memoryMiB: number, tbSizeMiB: number): number {
  const mib = 1024 * 1024;
  return (memoryMiB + tbSizeMiB + 3072) * mib;
}
