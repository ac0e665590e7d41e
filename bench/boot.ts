// Boot overhead: `nofear -t true` against the floor (the same kernel and QEMU booting an initramfs
// whose init powers off at once), and a first run against later ones (the cached image).
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCpio } from '../src/vm/cpio.js';
import { findGuestKernel } from '../src/vm/kernel.js';
import { buildKernelCmdline } from '../src/vm/qemu-argv.js';
import { hostTscKhz } from '../src/vm/accel.js';
import { printFigures, recordFigures, summarise, timed, withRatio } from './lib.js';

const RUNS = Number(process.env.NOFEAR_BENCH_RUNS ?? 5);
const NOFEAR = fileURLToPath(new URL('../dist/cli/nofear.js', import.meta.url));

async function floorInitramfs(dir: string): Promise<string> {
  const file = path.join(dir, 'floor.cpio');
  writeFileSync(
    file,
    buildCpio([
      { kind: 'dir', path: '.bb', mode: 0o755 },
      { kind: 'file', path: '.bb/busybox', mode: 0o755, data: readFileSync('/bin/busybox') },
      { kind: 'file', path: 'init', mode: 0o755, data: Buffer.from('#!/.bb/busybox sh\n/.bb/busybox poweroff -f\n') },
    ]),
  );
  return file;
}

/** QEMU booting the same kernel into an init that powers off at once: what any VM costs at least. */
export async function floorArgv(dir: string): Promise<string[]> {
  const kernel = await findGuestKernel();
  const initrd = await floorInitramfs(dir);
  const tsc = hostTscKhz();
  // prettier-ignore
  return [
    '-M', 'microvm,isa-serial=off,rtc=on', '-accel', 'tcg,thread=multi,tb-size=256', '-cpu', 'max', '-m', '1024', '-smp', '2',
    '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
    '-kernel', kernel.image, '-initrd', initrd,
    '-append', buildKernelCmdline({ accel: 'tcg', ...(tsc ? { tscKhz: tsc } : {}), upper: 'tmpfs', writableSizeMiB: 256 }).join(' '),
  ];
}

/** One boot of the floor, in seconds. */
export function bootFloorOnce(argv: readonly string[]): Promise<number> {
  return timed(() => execa('qemu-system-x86_64', [...argv], { timeout: 60_000 }));
}

export async function benchBoot(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nofear-bench-'));
  const env = { ...process.env, XDG_CACHE_HOME: path.join(dir, 'cache'), XDG_RUNTIME_DIR: path.join(dir, 'run'), XDG_DATA_HOME: path.join(dir, 'data') };
  mkdirSync(env.XDG_RUNTIME_DIR, { recursive: true, mode: 0o700 });
  try {
    // The kernel download is not what is measured: reuse the user's cached kernel.
    const kernel = await findGuestKernel();
    const kernelEnv = { ...env, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME ?? path.join(process.env.HOME ?? '/root', '.cache') };
    const floorArgs = await floorArgv(dir);
    const floor: number[] = [];
    const nofear: number[] = [];
    const first: number[] = [];
    // A fresh image cache: the first run builds the image, the later ones reuse it.
    // The kernel is named directly, so only the image is built in the fresh cache.
    first.push(await timed(() => execa(process.execPath, [NOFEAR, '-t', 'true'], { env: { ...env, NOFEAR_KERNEL: kernel.image, NOFEAR_KERNEL_MODULES: kernel.modulesDir } })));
    for (let i = 0; i < RUNS; i++) {
      floor.push(await bootFloorOnce(floorArgs));
      nofear.push(await timed(() => execa(process.execPath, [NOFEAR, '-t', 'true'], { env: kernelEnv, timeout: 120_000 })));
    }
    const floorFig = summarise('boot floor (QEMU + kernel + poweroff)', 's', floor);
    const nofearFig = withRatio(summarise('nofear -t true', 's', nofear), floorFig);
    const firstFig = summarise('nofear -t true, first run (image built, kernel cached)', 's', first, 'includes building the initramfs');
    const figures = [floorFig, nofearFig, firstFig];
    printFigures('boot', figures);
    recordFigures('boot', figures);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
