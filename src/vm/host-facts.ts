// What this host offers a VM, found before any VM is planned: the guest kernel and image, QEMU and
// its seccomp support, the jail, passt, the accelerator and the exportable system directories. The
// slow probes (bwrap, QEMU's -sandbox) are asked once per process by the modules that own them.
import { lstatSync } from 'node:fs';
import path from 'node:path';
import { unavailable } from '../errors.js';
import { qemuBinary as locateQemu } from '../util/which.js';
import { xdgCacheHome } from '../util/xdg.js';
import { decideAccel, hostTscKhz, type AccelChoice } from './accel.js';
import { SYSTEM_EXPORTS } from './guest-etc.js';
import { buildGuestImage } from './initramfs.js';
import { jailTools, probeJail, type JailKind, type JailTools } from './jail.js';
import { findGuestKernel } from './kernel.js';
import { findPasta, findPasst } from './passt.js';
import { qemuHasSeccomp } from './qemu-caps.js';
import { markPhase } from '../util/phases.js';

export interface HostFacts {
  kernelImage: string;
  initramfs: string;
  qemu: string;
  seccomp: boolean;
  jail: JailKind;
  tools: JailTools;
  /** passt's path, when installed: `--net user` needs it. */
  passt: string | undefined;
  /** pasta's path (passt's package): `[links] lan = no` runs passt in a network namespace it connects. */
  pasta: string | undefined;
  accel: AccelChoice;
  tscKhz: number | undefined;
  systemDirs: string[];
}

export interface ProbeNotes {
  /** --verbose detail (which kernel, cache reuse). */
  log: (line: string) => void;
  /** A one-line notice a person should see (a first-boot kernel download). */
  warn: (line: string) => void;
}

export async function probeHost(env: NodeJS.ProcessEnv, configAccel: 'kvm' | 'tcg' | undefined, notes: ProbeNotes): Promise<HostFacts> {
  markPhase('config + arguments');
  // The jail's probe (a bwrap started and awaited, tens of ms) runs while the kernel and the image are looked up.
  const tools = jailTools(env);
  const jailProbe = probeJail(tools);
  jailProbe.catch(() => undefined); // awaited below: a kernel lookup that throws first leaves no unhandled rejection
  const kernel = await findGuestKernel({ env, progress: notes.warn });
  markPhase('kernel found');
  notes.log(`guest kernel: ${kernel.description}`);
  const image = await buildGuestImage(kernel, env);
  markPhase('initramfs cache check');
  notes.log(image.reused ? `guest image: reusing the cached ${image.path}` : `guest image: built ${image.path}`);
  const qemu = findQemu(env);
  const [jail, seccomp] = await Promise.all([jailProbe, env.NOFEAR_SECCOMP === 'off' ? Promise.resolve(false) : qemuHasSeccomp(qemu, path.join(xdgCacheHome(env), 'nofear'))]);
  markPhase('probes (jail + seccomp)');
  return {
    kernelImage: kernel.image,
    initramfs: image.path,
    qemu,
    seccomp,
    jail,
    tools,
    passt: findPasst(env),
    pasta: findPasta(env),
    accel: decideAccel(env, configAccel),
    tscKhz: hostTscKhz(),
    systemDirs: exportableSystemDirs(),
  };
}

export function findQemu(env: NodeJS.ProcessEnv): string {
  const found = locateQemu(env);
  if (found === undefined) {
    throw unavailable(`QEMU is not installed (${env.NOFEAR_QEMU ? `NOFEAR_QEMU=${env.NOFEAR_QEMU} is not executable` : 'no qemu-system-x86_64 on PATH'}).`, 'sudo apt-get install qemu-system-x86');
  }
  return found;
}

/** System dirs the guest gets: those that exist as real directories (merged-/usr links are recreated). */
export function exportableSystemDirs(): string[] {
  return SYSTEM_EXPORTS.filter((dir) => {
    try {
      return lstatSync(dir).isDirectory();
    } catch {
      return false; // absent on this host: nothing to export
    }
  });
}
