// Builds the guest's initramfs (busybox, modules, init, agent, generated /etc) and caches it by the
// hash of its inputs, so it is rebuilt only when one of them changes.
import { lstatSync, promises as fsp, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unavailable } from '../errors.js';
import { xdgCacheHome } from '../util/xdg.js';
import { runTool } from '../util/run.js';
import { exists, sha256 } from '../util/fs.js';
import { writeFileAtomic } from '../util/publish.js';
import { buildCpio, type CpioEntry } from './cpio.js';
import { GUEST_MODULES, MODULE_GROUPS, normaliseModuleName, parseModinfoDepends, parseModulesBuiltin, resolveLoadOrder, stripModuleSignature } from './modules.js';
import { generatedEtc, HOST_FILE_ALLOW_LIST, SYSTEM_EXPORTS } from './guest-etc.js';
import type { GuestKernel } from './kernel.js';
import { compileSeededKeymaps, keymapInputsStamp } from './guest-keymap.js';
import { hostOfficeBuildId, OFFICE_PROFILE_PATH, officeProfileXcu } from './office-profile.js';

/** src/guest, found from both src/vm (tsx) and dist/vm (compiled): both sit two levels below the root. */
export const GUEST_DIR = fileURLToPath(new URL('../../src/guest/', import.meta.url));
/** NoFear's guest files (src/guest) and where they go in the initramfs. */
export const GUEST_FILES = [
  ['init.sh', 'init', 0o755],
  ['agent.sh', '.nofear/agent.sh', 0o644],
  ['gui-bridge.py', '.nofear/gui-bridge.py', 0o644],
  ['convert.sh', '.nofear/convert.sh', 0o644],
  ['ocr.sh', '.nofear/ocr.sh', 0o644],
  ['thumbs.sh', '.nofear/thumbs.sh', 0o644],
  ['thumb-one.sh', '.nofear/thumb-one.sh', 0o644],
  ['mail-view.py', '.nofear/mail-view.py', 0o644],
  ['office-pdf.py', '.nofear/office-pdf.py', 0o644],
  ['xpra.conf', 'etc/xpra/xpra.conf', 0o644],
  ['xkbcomp.sh', '.nofear/xkbcomp', 0o755],
  // First in the Xpra server's PATH (agent.sh): its platform probes find these and learn nothing.
  ...(['lsb_release', 'file', 'uname'] as const).map((probe) => ['no-probe.sh', `.nofear/xpra-probes/${probe}`, 0o755] as const),
] as const;
const MAX_ALLOW_LIST_BYTES = 16 * 1024 * 1024;

export interface GuestImage {
  path: string;
  /** True when an existing cached image was used as it was. */
  reused: boolean;
  key: string;
}

export function busyboxPath(env: NodeJS.ProcessEnv): string {
  return env.NOFEAR_BUSYBOX ?? '/bin/busybox';
}

interface ModuleIndex {
  paths: Map<string, string>;
  builtin: Set<string>;
}

async function walkModules(dir: string, into: Map<string, string>): Promise<void> {
  for (const entry of await fsp.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await walkModules(full, into);
    else if (/\.ko(\.xz|\.zst|\.gz)?$/.test(entry.name)) into.set(normaliseModuleName(entry.name), full);
  }
}

async function indexModules(modulesDir: string): Promise<ModuleIndex> {
  const paths = new Map<string, string>();
  await walkModules(path.join(modulesDir, 'kernel'), paths);
  let builtinText = '';
  try {
    builtinText = await fsp.readFile(path.join(modulesDir, 'modules.builtin'), 'utf8');
  } catch {
    builtinText = '';
  }
  return { paths, builtin: parseModulesBuiltin(builtinText) };
}

async function readModule(file: string): Promise<Buffer> {
  const tool = file.endsWith('.xz') ? 'xz' : file.endsWith('.zst') ? 'zstd' : file.endsWith('.gz') ? 'gzip' : undefined;
  if (tool === undefined) return fsp.readFile(file);
  const out = `${file.replace(/[^A-Za-z0-9]/g, '_').slice(-60)}`;
  const temp = path.join(await fsp.mkdtemp('/tmp/nofear-ko-'), out);
  try {
    const result = await runTool(tool, ['-dc', file], { timeoutMs: 60_000, stdoutFile: temp });
    if (result.failed) throw unavailable(`Cannot decompress kernel module ${file} (${tool}): ${result.stderr.trim()}`, `install ${tool}`);
    return await fsp.readFile(temp);
  } finally {
    await fsp.rm(path.dirname(temp), { recursive: true, force: true });
  }
}

async function moduleEntries(kernel: GuestKernel): Promise<{ entries: CpioEntry[]; lists: CpioEntry[] }> {
  const index = await indexModules(kernel.modulesDir);
  const contents = new Map<string, Buffer>();
  const dependsOf = (name: string) => {
    const data = contents.get(name);
    return data === undefined ? undefined : parseModinfoDepends(data);
  };
  // Load modules breadth-first as dependencies are discovered, then order them.
  const queue: string[] = [...GUEST_MODULES];
  while (queue.length > 0) {
    const name = normaliseModuleName(queue.shift() ?? '');
    if (contents.has(name) || index.builtin.has(name)) continue;
    const file = index.paths.get(name);
    if (file === undefined) continue;
    const data = stripModuleSignature(await readModule(file));
    contents.set(name, data);
    queue.push(...parseModinfoDepends(data));
  }
  const isBuiltin = (name: string) => index.builtin.has(name);
  const order = resolveLoadOrder(GUEST_MODULES, dependsOf, isBuiltin);
  const entries: CpioEntry[] = order.map((name) => ({
    kind: 'file',
    path: `.nofear/modules/${name}.ko`,
    mode: 0o644,
    data: contents.get(name) ?? Buffer.alloc(0),
  }));
  // One load list per group; a later group skips what an earlier one loaded.
  const loaded = new Set<string>();
  const lists: CpioEntry[] = Object.entries(MODULE_GROUPS).map(([group, wanted]) => {
    const names = resolveLoadOrder(wanted, dependsOf, (name) => isBuiltin(name) || loaded.has(name));
    for (const name of names) loaded.add(name);
    return { kind: 'file', path: `.nofear/modules.${group}`, mode: 0o644, data: Buffer.from(names.map((n) => `${n}\n`).join('')) };
  });
  return { entries, lists };
}

interface HostFile {
  path: string;
  kind: 'dir' | 'file' | 'symlink';
  target?: string;
}

/**
 * The allow-listed host files, walked with lstat only: their stamp keys the cache without reading
 * them. Synchronous on purpose: ~900 small calls on every start, where promises cost 10x more.
 */
function scanAllowList(): { files: HostFile[]; stamp: string } {
  const files: HostFile[] = [];
  const stamps: string[] = [];
  let total = 0;
  const visit = (file: string): void => {
    let stat;
    try {
      stat = lstatSync(file);
    } catch {
      return;
    }
    if (stat.isSymbolicLink()) {
      const target = readlinkSync(file);
      files.push({ path: file, kind: 'symlink', target });
      stamps.push(`${file}->${target}`);
    } else if (stat.isDirectory()) {
      files.push({ path: file, kind: 'dir' });
      let names: string[] = [];
      try {
        names = readdirSync(file).sort();
      } catch {
        return;
      }
      for (const name of names) visit(path.join(file, name));
    } else if (stat.isFile() && total + stat.size <= MAX_ALLOW_LIST_BYTES && (stat.mode & 0o004) !== 0) {
      total += stat.size;
      files.push({ path: file, kind: 'file' });
      stamps.push(`${file}:${stat.size}:${stat.mtimeMs}`);
    }
  };
  for (const root of HOST_FILE_ALLOW_LIST) visit(root);
  return { files, stamp: stamps.join('\n') };
}

async function hostFileEntries(files: readonly HostFile[]): Promise<CpioEntry[]> {
  const entries: CpioEntry[] = [];
  for (const file of files) {
    if (file.kind === 'dir') entries.push({ kind: 'dir', path: file.path, mode: 0o755 });
    else if (file.kind === 'symlink') entries.push({ kind: 'symlink', path: file.path, target: file.target ?? '' });
    else {
      try {
        const stat = await fsp.stat(file.path);
        // Real mtimes: fontconfig ignores a cache file older than its font directory (every X client would rescan).
        entries.push({ kind: 'file', path: file.path, mode: 0o644, data: await fsp.readFile(file.path), mtime: stat.mtimeMs / 1000 });
      } catch {
        // gone since the scan: the guest does without it
      }
    }
  }
  return entries;
}

/** Top-level system directories that are symlinks on the host (merged /usr): recreated in the guest. */
async function systemLinks(): Promise<string> {
  const lines: string[] = [];
  for (const dir of SYSTEM_EXPORTS) {
    try {
      const target = await fsp.readlink(dir);
      lines.push(`${dir.slice(1)} ${target}`);
    } catch {
      // a real directory (exported) or absent
    }
  }
  return lines.map((line) => `${line}\n`).join('');
}

function isStaticElf(data: Buffer): boolean {
  return data.subarray(0, 4).equals(Buffer.from('7f454c46', 'hex')) && !data.includes(Buffer.from('/lib64/ld-linux'));
}

function parentDirs(entries: readonly CpioEntry[]): CpioEntry[] {
  const dirs = new Set<string>();
  for (const entry of entries) {
    const parts = entry.path.replace(/^\/+/, '').split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return [...dirs].sort().map((dir) => ({ kind: 'dir', path: dir, mode: 0o755 }));
}

/** The image's entries: the guest's empty directories, every parent directory of the payload, parents before children. Pure. */
function withDirectories(payload: readonly CpioEntry[]): CpioEntry[] {
  const emptyDirs: CpioEntry[] = ['proc', 'sys', 'dev', 'tmp', 'run', 'mnt', 'root', 'home/user', 'var/tmp', 'etc'].map((dir) => ({
    kind: 'dir',
    path: dir,
    mode: dir === 'root' ? 0o700 : dir === 'tmp' ? 0o1777 : 0o755,
  }));
  const all = [...emptyDirs, ...payload];
  const dirs = parentDirs(all).filter((dir) => !all.some((entry) => entry.kind === 'dir' && entry.path.replace(/^\/+/, '') === dir.path));
  return [...dirs, ...all].sort((a, b) => depth(a) - depth(b));
}

export async function buildGuestImage(kernel: GuestKernel, env: NodeJS.ProcessEnv = process.env): Promise<GuestImage> {
  const busybox = busyboxPath(env);
  const busyboxStat = await fsp.stat(busybox).catch(() => {
    throw unavailable(`${busybox} is missing: the guest needs a static busybox.`, 'sudo apt-get install busybox-static');
  });
  // NOFEAR_GUEST_DIR swaps in other guest files: the adversarial tests boot a hostile agent with it.
  const guestDir = env.NOFEAR_GUEST_DIR ?? GUEST_DIR;
  const guestFiles = await Promise.all(GUEST_FILES.map(async ([name]) => fsp.readFile(path.join(guestDir, name))));
  const shell = (await exists('/usr/bin/bash')) ? '/bin/bash' : '/bin/sh';
  const links = await systemLinks();
  const hostFiles = scanAllowList();
  const officeProfile = officeProfileXcu(hostOfficeBuildId());
  const kernelStat = await fsp.stat(kernel.image);
  const modulesStat = await fsp.stat(path.join(kernel.modulesDir, 'kernel'));
  const key = sha256(
    'nofear-initramfs-2',
    ...guestFiles,
    GUEST_MODULES.join(','),
    JSON.stringify(generatedEtc(shell)),
    busybox,
    String(busyboxStat.size),
    String(busyboxStat.mtimeMs),
    kernel.image,
    String(kernelStat.size),
    String(kernelStat.mtimeMs),
    kernel.modulesDir,
    String(modulesStat.mtimeMs),
    shell,
    links,
    hostFiles.stamp,
    officeProfile,
    keymapInputsStamp(),
  ).slice(0, 20);
  const cacheDir = path.join(xdgCacheHome(env), 'nofear');
  const out = path.join(cacheDir, `initramfs-${key}.cpio`);
  if (await exists(out)) return { path: out, reused: true, key };

  const busyboxData = await fsp.readFile(busybox);
  if (!isStaticElf(busyboxData)) {
    throw unavailable(`${busybox} is not statically linked.`, 'sudo apt-get install busybox-static');
  }
  const modules = await moduleEntries(kernel);
  const etc = Object.entries(generatedEtc(shell)).map(([file, text]): CpioEntry => ({ kind: 'file', path: file, mode: file === '/etc/shadow' ? 0o600 : 0o644, data: Buffer.from(text) }));
  const payload: CpioEntry[] = [
    { kind: 'file', path: '.bb/busybox', mode: 0o755, data: busyboxData },
    ...GUEST_FILES.map(([, target, mode], index): CpioEntry => ({ kind: 'file', path: target, mode, data: guestFiles[index] ?? Buffer.alloc(0) })),
    ...modules.lists,
    { kind: 'file', path: '.nofear/links', mode: 0o644, data: Buffer.from(links) },
    ...modules.entries,
    ...(await hostFileEntries(hostFiles.files)),
    ...etc,
    { kind: 'file', path: OFFICE_PROFILE_PATH, mode: 0o644, data: Buffer.from(officeProfile) },
    ...(await compileSeededKeymaps()).map((keymap): CpioEntry => ({ kind: 'file', path: keymap.path, mode: 0o644, data: keymap.data })),
  ];
  await fsp.mkdir(cacheDir, { recursive: true });
  await writeFileAtomic(out, buildCpio(withDirectories(payload)));
  await removeStaleImages(cacheDir, path.basename(out));
  return { path: out, reused: false, key };
}

function depth(entry: CpioEntry): number {
  return entry.path.replace(/^\/+/, '').split('/').length;
}

/** Another build's image younger than this may be about to boot (another NoFear install or version of the same user's): it stays. */
export const STALE_IMAGE_AGE_MS = 60 * 60 * 1000;

/** Removes the cache's other guest images once they are old: the cache never grows without end, and never pulls an image from under a boot. */
export async function removeStaleImages(cacheDir: string, keep: string, now = Date.now()): Promise<void> {
  for (const name of await fsp.readdir(cacheDir)) {
    if (!name.startsWith('initramfs-') || !name.endsWith('.cpio') || name === keep) continue;
    const stat = await fsp.stat(path.join(cacheDir, name)).catch(() => undefined);
    if (stat !== undefined && now - stat.mtimeMs > STALE_IMAGE_AGE_MS) await fsp.rm(path.join(cacheDir, name), { force: true });
  }
}
