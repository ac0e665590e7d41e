// Opening a PDF, from the call to the window on the display (NoFear's own window report): the viewer
// started natively, a cold open (nofear-open, by step), warm opens (OpenFiles through the service with a
// ready VM) and edit opens with the service up, and what a ready VM costs while it waits (CPU over 30 s,
// memory). bench/targets.ts puts them against the targets; bench/office.ts reuses the warm opens.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { OpenProgress, OPEN_STEPS } from '../src/demo/open-progress.js';
import type { SandboxRecord } from '../src/sandbox/registry.js';
import { NoFearClient } from '../src/service/bus/client.js';
import { rssKiB } from '../src/util/proc.js';
import { descendants } from '../test/helpers/proc-view.js';
import { startPrivateBus } from '../test/helpers/private-bus.js';
import { startForegroundService } from '../test/helpers/service.js';
import { timed } from './lib.js';

const RUNS = Number(process.env.NOFEAR_BENCH_RUNS ?? 5);
const OPEN = fileURLToPath(new URL('../dist/cli/nofear-open.js', import.meta.url));
const IDLE_SECONDS = 30;

/** Seconds until a window whose title matches is mapped (xdotool here: the native viewer has no NoFear report). */
export async function nativeOnce(display: string, file: string): Promise<number> {
  const child = execa('mupdf', [file], { env: { DISPLAY: display }, reject: false });
  const seconds = await timed(() => execa('xdotool', ['search', '--sync', '--onlyvisible', '--name', `^${path.basename(file)}`], { env: { DISPLAY: display }, timeout: 60_000 }));
  child.kill('SIGTERM');
  await child;
  return seconds;
}

/** A cold open: seconds to each step, from nofear-open's own step lines. */
export async function coldOnce(env: NodeJS.ProcessEnv, file: string, extra: readonly string[] = ['--no-service']): Promise<Partial<Record<(typeof OPEN_STEPS)[number], number>>> {
  const child = spawn(process.execPath, [OPEN, ...extra, '--verbose', '--wait', file], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const progress = new OpenProgress(child);
  await progress.window;
  child.kill('SIGTERM');
  await progress.exited;
  return progress.seconds;
}

/** CPU (percent of one core) of these processes over `seconds`, from /proc. */
async function cpuPercent(pids: readonly number[], seconds: number): Promise<number> {
  const ticks = () =>
    pids.reduce((sum, pid) => {
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
        return sum + Number(fields[11]) + Number(fields[12]);
      } catch {
        return sum; // gone: it uses nothing more
      }
    }, 0);
  const before = ticks();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return ((ticks() - before) / 100 / seconds) * 100;
}

export interface WarmFigures {
  windows: number[];
  /** `nofear-open --edit` from the desktop with a ready VM of the edit shape, to the window. */
  edits: number[];
  /** The first edit of the edit service: no edit VM was ready (one run). */
  coldEdit: number[];
  idleCpu: number[];
  qemuRssMiB: number[];
  clientRssMiB: number[];
  /** QEMU's jail and everything below it, and the host client's: PSS (shared pages counted once). */
  allPssMiB: number[];
  /** Where it goes: QEMU's mappings by kind and the host client, PSS (MiB). */
  parts: Array<Record<MemoryPart, number>>;
}

/** The parts of a ready VM's memory that bench/targets.ts shows under its total. */
export const MEMORY_PARTS = ['guest RAM', 'TCG code buffer', "QEMU's copy of the kernel and initramfs", 'rest of QEMU and its jail', 'host client'] as const;
export type MemoryPart = (typeof MEMORY_PARTS)[number];

/**
 * Warm opens through the service (a pool of one); `idleSamples` adds that many samples of the ready VM's idle cost (30 s each, one per run at most), `edits`
 * that many `nofear-open --edit` opens with the service up after them. Also used by bench/office.ts.
 */
export async function warm(display: string, dir: string, file: string, idleSamples = 2, runs = RUNS, edits = 0): Promise<WarmFigures> {
  const runtime = path.join(dir, 'warm-run');
  mkdirSync(runtime, { mode: 0o700 });
  mkdirSync(path.join(dir, 'config', 'nofear'), { recursive: true });
  writeFileSync(path.join(dir, 'config', 'nofear', 'config.ini'), '[pool]\nsize = 1\n');
  const bus = await startPrivateBus(dir, {}, { activation: false });
  const service = startForegroundService({ DBUS_SESSION_BUS_ADDRESS: bus.address, DISPLAY: display, XDG_RUNTIME_DIR: runtime, XDG_CONFIG_HOME: path.join(dir, 'config') });
  const client = NoFearClient.connect({ DBUS_SESSION_BUS_ADDRESS: bus.address });
  const figures: WarmFigures = { windows: [], edits: [], coldEdit: [], idleCpu: [], qemuRssMiB: [], clientRssMiB: [], allPssMiB: [], parts: [] };
  try {
    if (client === undefined) throw new Error('no bus');
    const windows = new Map<string, number>();
    let wake = () => {};
    const unfollow = await client.follow((objectPath, event) => {
      if (event.kind === 'step' && event.step === 'window') windows.set(objectPath, Date.now());
      wake();
    });
    let line = await service.waitForLine(/warm VM ([0-9a-f]{8}) ready$/, 300_000);
    for (let run = 0; run < runs; run++) {
      const id = /warm VM ([0-9a-f]{8})/.exec(line)?.[1] ?? '';
      if (figures.idleCpu.length < idleSamples) await idleCost(runtime, id, figures);
      const seen = service.lines.length;
      const started = Date.now();
      const [objectPath = ''] = await client.openUris([pathToFileURL(file).href], { display });
      await new Promise<void>((resolve) => {
        wake = () => windows.has(objectPath) && resolve();
        wake();
      });
      figures.windows.push(((windows.get(objectPath) ?? 0) - started) / 1000);
      await client.stopSandbox(objectPath.split('/').at(-1) ?? '');
      // The next run waits for the replacement, which boots once this window is up.
      line = await service.waitForLine(/warm VM ([0-9a-f]{8}) ready$/, 300_000, seen);
    }
    await unfollow();
  } finally {
    client?.close();
    await service.stop();
    await bus.stop();
  }
  if (edits > 0) Object.assign(figures, await warmEdits(display, dir, file, edits));
  return figures;
}

/**
 * `nofear-open --edit` from the desktop (no terminal: it goes to the service) with a ready VM of the edit
 * shape, to the window. Its own service, `[pool] size = auto` within 1 GiB: nothing is ready until an edit
 * is used, then one edit VM (the budget holds one). The first edit boots cold (its figure: `coldEdit`).
 */
async function warmEdits(display: string, dir: string, file: string, runs: number): Promise<Pick<WarmFigures, 'edits' | 'coldEdit'>> {
  const top = path.join(dir, 'edits');
  const runtime = path.join(top, 'run');
  mkdirSync(runtime, { recursive: true, mode: 0o700 });
  mkdirSync(path.join(top, 'config', 'nofear'), { recursive: true });
  writeFileSync(path.join(top, 'config', 'nofear', 'config.ini'), '[pool]\nsize = auto\nmemory = 1G\n');
  const bus = await startPrivateBus(top, {}, { activation: false });
  const env = { DBUS_SESSION_BUS_ADDRESS: bus.address, DISPLAY: display, XDG_RUNTIME_DIR: runtime, XDG_CONFIG_HOME: path.join(top, 'config') };
  const service = startForegroundService(env);
  const result: Pick<WarmFigures, 'edits' | 'coldEdit'> = { edits: [], coldEdit: [] };
  try {
    await service.waitForLine(/serving org\.nofear\.NoFear/, 60_000);
    const editOnce = async () => (await coldOnce({ ...process.env, ...env }, file, ['--edit', '--save-back=never'])).window ?? Number.NaN;
    let seen = service.lines.length;
    result.coldEdit.push(await editOnce()); // edits are used now: the pool keeps an edit VM ready
    for (let run = 0; run < runs; run++) {
      await service.waitForLine(/warm VM ([0-9a-f]{8}) ready$/, 300_000, seen);
      seen = service.lines.length;
      const seconds = await editOnce();
      if (!service.lines.slice(seen).some((l) => /warm VM [0-9a-f]{8} taken$/.test(l))) throw new Error(`edit ${run + 1} took no ready VM:\n${service.lines.join('\n')}`);
      result.edits.push(seconds);
    }
  } finally {
    await service.stop();
    await bus.stop();
  }
  return result;
}

/**
 * The host client of sandbox `id`: the oldest process naming both the client and the VM's GUI socket (the
 * client jail's outer bubblewrap, or the client itself without a jail) and every process below it.
 */
async function clientProcesses(id: string): Promise<number[]> {
  const socket = `${id}/vm/gui.sock`;
  const found = await execa('pgrep', ['-o', '-f', `xpra-client\\.py.*${socket}|${socket}.*xpra-client\\.py`], { reject: false });
  const top = Number(found.stdout.trim());
  if (!(top > 0)) throw new Error(`no host client found for ${id}`);
  return [top, ...descendants(top)];
}

/** A ready VM's idle cost: its QEMU and host client's CPU over IDLE_SECONDS, and their memory. */
async function idleCost(runtime: string, id: string, figures: WarmFigures): Promise<void> {
  const record = JSON.parse(readFileSync(path.join(runtime, 'nofear', id, 'sandbox.json'), 'utf8')) as SandboxRecord;
  const client = await clientProcesses(id);
  const pids = [record.vmm?.pid ?? 0, ...client].filter((pid) => pid > 0);
  figures.idleCpu.push(await cpuPercent(pids, IDLE_SECONDS));
  figures.qemuRssMiB.push((rssKiB(record.vmm?.pid ?? 0) ?? 0) / 1024);
  figures.clientRssMiB.push(client.reduce((sum, pid) => sum + (rssKiB(pid) ?? 0), 0) / 1024);
  const jail = record.qemu?.pid ?? 0;
  const jailed = [jail, ...descendants(jail)];
  const sum = (pids: number[]) => pids.reduce((total, pid) => total + (pssKiB(pid) ?? rssKiB(pid) ?? 0), 0) / 1024;
  figures.allPssMiB.push(sum([...jailed, ...client]));
  const qemu = qemuParts(record.vmm?.pid ?? 0);
  const named = qemu['guest RAM'] + qemu['TCG code buffer'] + qemu["QEMU's copy of the kernel and initramfs"];
  figures.parts.push({ ...qemu, 'rest of QEMU and its jail': sum(jailed) - named, 'host client': sum(client) });
}

/**
 * QEMU's PSS by mapping, MiB: the guest's RAM (the anonymous mapping of the guest's size), TCG's
 * translated code (its anonymous executable mappings) and the kernel and initramfs files QEMU keeps
 * mapped for a reset. Read from /proc/PID/smaps; zeros when it cannot be read.
 */
export function qemuParts(pid: number): Pick<Record<MemoryPart, number>, 'guest RAM' | 'TCG code buffer' | "QEMU's copy of the kernel and initramfs"> {
  const parts = { 'guest RAM': 0, 'TCG code buffer': 0, "QEMU's copy of the kernel and initramfs": 0 };
  let smaps = '';
  try {
    smaps = readFileSync(`/proc/${pid}/smaps`, 'utf8');
    const guestMiB = Number(/(?:^|\0)-m\0(\d+)\0/.exec(readFileSync(`/proc/${pid}/cmdline`, 'latin1'))?.[1] ?? 0);
    let kind: keyof typeof parts | undefined;
    for (const line of smaps.split('\n')) {
      const mapping = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \d+\s*(.*)$/.exec(line);
      if (mapping) {
        const sizeMiB = (parseInt(mapping[2] ?? '0', 16) - parseInt(mapping[1] ?? '0', 16)) / 1024 / 1024;
        const [perms, name] = [mapping[3] ?? '', mapping[4]?.trim() ?? ''];
        kind = undefined;
        if (name === '' && perms === 'rwxp') kind = 'TCG code buffer';
        else if ((name === '' || name.startsWith('/dev/zero') || name.startsWith('/memfd:')) && guestMiB > 0 && sizeMiB === guestMiB) kind = 'guest RAM';
        else if (/(^|\/)(vmlinux[^/]*|initramfs[^/]*\.cpio)$/.test(name)) kind = "QEMU's copy of the kernel and initramfs";
        continue;
      }
      const pss = /^Pss:\s+(\d+) kB$/.exec(line);
      if (pss && kind !== undefined) parts[kind] += Number(pss[1]) / 1024;
    }
  } catch {
    // gone, or not ours to read: nothing to show
  }
  return parts;
}

/** Proportional set size: a process's own pages and its share of pages it shares (RSS counts shared ones in full). */
function pssKiB(pid: number): number | undefined {
  try {
    const match = /^Pss:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined; // gone, or not ours to read: the caller falls back to RSS
  }
}
