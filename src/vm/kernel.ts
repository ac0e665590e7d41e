// Finds the guest kernel: NOFEAR_KERNEL, the host's own, or Debian's package unpacked into the cache.
import { promises as fsp, constants as fsc } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unavailable } from '../errors.js';
import { xdgCacheHome } from '../util/xdg.js';
import { runTool } from '../util/run.js';
import { exists } from '../util/fs.js';
import { bootableImage } from './vmlinux.js';

export type KernelSource = 'NOFEAR_KERNEL' | 'host' | 'debian-package';

export interface GuestKernel {
  source: KernelSource;
  /** What --verbose prints: where it came from. */
  description: string;
  /** The file QEMU boots: an uncompressed vmlinux when one could be extracted, else the bzImage. */
  image: string;
  /** The directory holding kernel/ and modules.builtin for this kernel. */
  modulesDir: string;
  version: string;
}

export interface KernelLookupOptions {
  env?: NodeJS.ProcessEnv;
  /** Log a progress line (downloads take seconds). */
  progress?: (line: string) => void;
}

async function readable(file: string): Promise<boolean> {
  try {
    await fsp.access(file, fsc.R_OK);
    return true;
  } catch {
    return false;
  }
}

export function kernelCacheDir(env: NodeJS.ProcessEnv): string {
  return path.join(xdgCacheHome(env), 'nofear', 'kernel');
}

/** Where the guest kernel comes from, decided without downloading or extracting anything (doctor shows it). */
export type KernelLocation =
  | { kind: 'env'; image: string; modulesDir: string }
  | { kind: 'host'; image: string; modulesDir: string; release: string }
  | { kind: 'cached'; name: string }
  | { kind: 'download' }
  | { kind: 'problem'; message: string; fix: string };

/** The lookup order: NOFEAR_KERNEL, the host's own kernel, Debian's package in the cache, a download. */
export async function locateKernel(env: NodeJS.ProcessEnv, canDownload: () => boolean = () => true): Promise<KernelLocation> {
  const fromEnv = env.NOFEAR_KERNEL;
  if (fromEnv !== undefined && fromEnv !== '') {
    const modulesDir = env.NOFEAR_KERNEL_MODULES ?? '';
    if (!(await readable(fromEnv))) return { kind: 'problem', message: `NOFEAR_KERNEL=${fromEnv} is not a readable file.`, fix: 'unset NOFEAR_KERNEL, or point it at a kernel image' };
    if (modulesDir === '' || !(await exists(path.join(modulesDir, 'kernel')))) {
      return {
        kind: 'problem',
        message: 'NOFEAR_KERNEL is set but NOFEAR_KERNEL_MODULES does not name its modules directory.',
        fix: 'export NOFEAR_KERNEL_MODULES=/lib/modules/<version> (the directory holding kernel/ and modules.builtin)',
      };
    }
    return { kind: 'env', image: fromEnv, modulesDir };
  }
  const release = os.release();
  const hostImage = `/boot/vmlinuz-${release}`;
  const hostModules = `/lib/modules/${release}`;
  if ((await readable(hostImage)) && (await exists(path.join(hostModules, 'kernel')))) return { kind: 'host', image: hostImage, modulesDir: hostModules, release };
  const cached = await newestCachedPackage(kernelCacheDir(env));
  if (cached !== undefined) return { kind: 'cached', name: cached };
  if (canDownload()) return { kind: 'download' };
  return { kind: 'problem', message: `The host kernel ${hostImage} is not readable and there is no apt-get to fetch Debian's.`, fix: NO_APT_FIX };
}

export async function findGuestKernel(options: KernelLookupOptions = {}): Promise<GuestKernel> {
  const env = options.env ?? process.env;
  const cacheDir = kernelCacheDir(env);
  const location = await locateKernel(env);
  switch (location.kind) {
    case 'problem':
      throw unavailable(location.message, location.fix);
    case 'env': {
      const image = await bootableImage(location.image, cacheDir);
      return { source: 'NOFEAR_KERNEL', description: `NOFEAR_KERNEL ${location.image}`, image, modulesDir: location.modulesDir, version: path.basename(location.modulesDir) };
    }
    case 'host': {
      const image = await bootableImage(location.image, cacheDir);
      return { source: 'host', description: `the host's kernel ${location.image}`, image, modulesDir: location.modulesDir, version: location.release };
    }
    case 'cached':
      return debianPackageKernel(cacheDir, location.name);
    default:
      return debianPackageKernel(cacheDir, await downloadNewest(cacheDir, options.progress));
  }
}

async function newestCachedPackage(cacheDir: string): Promise<string | undefined> {
  let names: string[];
  try {
    names = await fsp.readdir(cacheDir);
  } catch {
    return undefined; // no cache yet
  }
  const complete: string[] = [];
  for (const name of names.filter((n) => n.startsWith('linux-image-'))) {
    if (await exists(path.join(cacheDir, name, '.complete'))) complete.push(name);
  }
  return complete.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).at(-1);
}

async function downloadNewest(cacheDir: string, progress?: (line: string) => void): Promise<string> {
  const name = await resolveKernelPackage();
  progress?.(`downloading the guest kernel (${name}) into ${cacheDir}`);
  await downloadAndUnpack(name, cacheDir);
  return name;
}

/** The unpacked package `name` in the cache (located by locateKernel, or just downloaded). */
async function debianPackageKernel(cacheDir: string, name: string): Promise<GuestKernel> {
  const root = path.join(cacheDir, name);
  const modulesRoot = path.join(root, 'lib', 'modules');
  const [version] = await fsp.readdir(modulesRoot);
  if (version === undefined) throw unavailable(`The cached kernel in ${root} has no modules.`, `rm -rf ${root}`);
  const image = path.join(root, 'boot', `vmlinuz-${version}`);
  return {
    source: 'debian-package',
    description: `Debian's ${name} (cached in ${root})`,
    image: await bootableImage(image, cacheDir),
    modulesDir: path.join(modulesRoot, version),
    version,
  };
}

const NO_APT_FIX = 'install a distribution kernel, or set NOFEAR_KERNEL=/path/to/vmlinuz and NOFEAR_KERNEL_MODULES=/path/to/lib/modules/<version>';

/** linux-image-amd64 is a metapackage: its dependency names the real image package. */
async function resolveKernelPackage(): Promise<string> {
  const result = await runTool('apt-cache', ['depends', 'linux-image-amd64'], { timeoutMs: 30_000 });
  const match = /Depends:\s*(linux-image-[0-9][^\s]*-amd64(?:-unsigned)?)/.exec(result.stdout);
  if (result.failed || match?.[1] === undefined) {
    throw unavailable('No guest kernel: the host kernel is not readable and apt cannot name the linux-image-amd64 package.', `as root: apt-get update   (or ${NO_APT_FIX})`);
  }
  return match[1];
}

async function downloadAndUnpack(name: string, cacheDir: string): Promise<void> {
  await fsp.mkdir(cacheDir, { recursive: true });
  const work = await fsp.mkdtemp(path.join(cacheDir, '.download-'));
  try {
    const download = await runTool('apt-get', ['download', name], { cwd: work, timeoutMs: 600_000 });
    const deb = (await fsp.readdir(work)).find((f) => f.endsWith('.deb'));
    if (download.failed || deb === undefined) {
      throw unavailable(`Could not download the guest kernel package ${name}: ${download.stderr.trim().split('\n').at(-1) ?? ''}`, NO_APT_FIX);
    }
    const target = path.join(work, 'tree');
    const unpack = await runTool('dpkg', ['-x', path.join(work, deb), target], { timeoutMs: 300_000 });
    if (unpack.failed) throw unavailable(`Could not unpack ${deb}: ${unpack.stderr.trim()}`, NO_APT_FIX);
    await fsp.writeFile(path.join(target, '.complete'), `${deb}\n`);
    await fsp.rm(path.join(cacheDir, name), { recursive: true, force: true });
    await fsp.rename(target, path.join(cacheDir, name));
  } finally {
    await fsp.rm(work, { recursive: true, force: true });
  }
}
