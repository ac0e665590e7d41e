// What this QEMU can do, probed once per process: seccomp (-sandbox) support.
import { runTool } from '../util/run.js';
import { SECCOMP_POLICY } from './qemu-argv.js';

const probes = new Map<string, Promise<boolean>>();

/** True when `qemu -sandbox on,...` is accepted (QEMU built with libseccomp). */
export function qemuHasSeccomp(qemu: string): Promise<boolean> {
  let probe = probes.get(qemu);
  if (probe === undefined) {
    probe = runTool(qemu, ['-sandbox', SECCOMP_POLICY, '-version'], { timeoutMs: 5000 })
      .then((result) => result.exitCode === 0)
      .catch(() => false); // a QEMU that cannot even run the probe has no usable -sandbox
    probes.set(qemu, probe);
  }
  return probe;
}
