// What this QEMU can do, probed once per process: seccomp (-sandbox) support. A probe costs a QEMU start
// (0.1-0.4 s of every `nofear` run), so a yes is remembered in the cache, stamped with the binary's
// identity (path, inode, size, change times), the policy and the host's boot: a changed QEMU, or the
// first run after the host booted again, is probed again. Only a yes
// is kept: a wrong one makes QEMU refuse its -sandbox and the VM fail loudly, never run without a filter.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runTool } from '../util/run.js';
import { SECCOMP_POLICY } from './qemu-argv.js';

const probes = new Map<string, Promise<boolean>>();
const STAMP = 'qemu-seccomp.ok';

/** The binary's identity and the policy, or undefined when it cannot be read (then nothing is cached). */
export function seccompStampKey(qemu: string): string | undefined {
  try {
    const stat = statSync(qemu);
    // The host's kernel decides too (seccomp must be there): probed again after every boot of the host.
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return JSON.stringify({ qemu, boot, dev: stat.dev, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, policy: SECCOMP_POLICY });
  } catch {
    return undefined;
  }
}

/** True when the cache remembers this very binary accepting the policy. */
export function cachedSeccomp(qemu: string, cacheDir: string): boolean {
  const key = seccompStampKey(qemu);
  try {
    return key !== undefined && readFileSync(path.join(cacheDir, STAMP), 'utf8') === key;
  } catch {
    return false; // no stamp yet
  }
}

function rememberSeccomp(qemu: string, cacheDir: string): void {
  const key = seccompStampKey(qemu);
  if (key === undefined) return;
  try {
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    const temp = path.join(cacheDir, `${STAMP}.${process.pid}`);
    writeFileSync(temp, key, { mode: 0o600 });
    renameSync(temp, path.join(cacheDir, STAMP));
  } catch {
    // a cache that cannot be written: the next run probes again
  }
}

/** True when `qemu -sandbox on,...` is accepted (QEMU built with libseccomp); `cacheDir` remembers a yes across runs. */
export function qemuHasSeccomp(qemu: string, cacheDir?: string): Promise<boolean> {
  let probe = probes.get(qemu);
  if (probe === undefined) {
    probe =
      cacheDir !== undefined && cachedSeccomp(qemu, cacheDir)
        ? Promise.resolve(true)
        : runTool(qemu, ['-sandbox', SECCOMP_POLICY, '-version'], { timeoutMs: 5000 })
            .then((result) => result.exitCode === 0)
            .catch(() => false); // a QEMU that cannot even run the probe has no usable -sandbox
    if (cacheDir !== undefined) void probe.then((yes) => yes && rememberSeccomp(qemu, cacheDir));
    probes.set(qemu, probe);
  }
  return probe;
}
