// A 1-page and a 10-page PDF converted through the service, cold (no pool: [pool] size = 0) against warm
// (a ready conversion VM, [pool] size = auto: kept once conversions are used), each from the Convert call
// to the sandbox's exit; and what a ready conversion VM costs the host while it waits (its QEMU's RSS).
// Exposed for bench/run.ts (issue 30's table); `node --import tsx bench/warm-convert.ts` runs it alone.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dbus from 'dbus-next';
import { samplePdf } from '../src/demo/sample-pdf.js';
import type { SandboxRecord } from '../src/sandbox/registry.js';
import { rssKiB } from '../src/util/proc.js';
import { BusWatcher } from '../test/helpers/bus-watcher.js';
import { startPrivateBus } from '../test/helpers/private-bus.js';
import { startForegroundService, type ForegroundService } from '../test/helpers/service.js';
import { printFigures, recordFigures, summarise, timed, withRatio, type Figure } from './lib.js';

const RUNS = Number(process.env.NOFEAR_BENCH_RUNS ?? 3);
const VM_MS = 300_000;

interface Served {
  service: ForegroundService;
  /** Converts a copy of `source` named `name`. */
  convert(name: string, source: string): Promise<{ id: string; seconds: number }>;
  runtime: string;
  close(): Promise<void>;
}

/** A service on a private bus with `configIni`, no display (a conversion VM shows no window). */
async function serve(dir: string, configIni: string): Promise<Served> {
  const runtime = path.join(dir, 'run');
  mkdirSync(runtime, { recursive: true, mode: 0o700 });
  mkdirSync(path.join(dir, 'config', 'nofear'), { recursive: true });
  writeFileSync(path.join(dir, 'config', 'nofear', 'config.ini'), configIni);
  const bus = await startPrivateBus(dir, {}, { activation: false });
  const env = { DBUS_SESSION_BUS_ADDRESS: bus.address, XDG_RUNTIME_DIR: runtime, XDG_CONFIG_HOME: path.join(dir, 'config'), XDG_STATE_HOME: path.join(dir, 'state') };
  const service = startForegroundService(env);
  await service.waitForLine(/serving org\.nofear\.NoFear/, 60_000);
  const watcher = await BusWatcher.connect(bus.address);
  const client = dbus.sessionBus({ busAddress: bus.address });
  client.on('error', () => undefined);
  const manager = (await client.getProxyObject('org.nofear.NoFear', '/org/nofear/NoFear')).getInterface('org.nofear.NoFear1.Manager');
  const convert = async (name: string, source: string) => {
    const file = path.join(dir, name);
    copyFileSync(source, file);
    let objectPath = '';
    const seconds = await timed(async () => {
      [objectPath = ''] = (await manager.Convert([file], { notify: new dbus.Variant('b', false) })) as string[];
      const status = await watcher.exitOf(objectPath, VM_MS);
      if (status !== 0) throw new Error(`the conversion of ${name} ended with ${status}:\n${service.lines.join('\n')}`);
    });
    return { id: objectPath.split('/').at(-1) ?? '', seconds };
  };
  const close = async () => {
    client.disconnect();
    watcher.close();
    await service.stop();
    await bus.stop();
  };
  return { service, convert, runtime, close };
}

/**
 * The VMs ready in the pool now, by the service's log: each "warm VM ID ready" with no later line saying it
 * was taken, stopped or ended. Pure.
 */
export function readyVmsOf(lines: readonly string[]): string[] {
  const ready = new Set<string>();
  for (const line of lines) {
    const match = /^nofear-service: warm VM ([0-9a-f]{8}) (ready|taken|stopped|ended)\b/.exec(line);
    if (match?.[1] === undefined) continue;
    if (match[2] === 'ready') ready.add(match[1]);
    else ready.delete(match[1]);
  }
  return [...ready];
}

/** A VM's QEMU RSS now, MiB (0 when its record names no QEMU). */
function qemuRssMiB(runtime: string, id: string): number {
  const record = JSON.parse(readFileSync(path.join(runtime, 'nofear', id, 'sandbox.json'), 'utf8')) as SandboxRecord;
  const qemu = (record.vmm ?? record.qemu)?.pid;
  return (qemu === undefined ? 0 : (rssKiB(qemu) ?? 0)) / 1024;
}

/** The VMs ready in the pool, once there is at least one (a conversion may take any of them). */
async function readyVms(service: ForegroundService): Promise<string[]> {
  for (;;) {
    const now = readyVmsOf(service.lines);
    if (now.length > 0) return now;
    await service.waitForLine(/^nofear-service: warm VM [0-9a-f]{8} ready$/, VM_MS, service.lines.length);
  }
}

/** The sample PDF (1 page), and the same page 10 times (pdfunite), in `dir`. */
async function samplePdfs(dir: string): Promise<{ one: string; ten: string }> {
  mkdirSync(dir, { recursive: true });
  const one = path.join(dir, 'one-page.pdf');
  writeFileSync(one, samplePdf());
  const ten = path.join(dir, 'ten-pages.pdf');
  await execa('pdfunite', [...Array<string>(10).fill(one), ten], { timeout: 60_000 });
  return { one, ten };
}

/** The figures, not recorded (a standalone run may not write results.json): 1 page cold, warm, a ready VM's RSS; 10 pages cold, warm. */
export async function measureWarmConvert(runs = RUNS): Promise<Figure[]> {
  const top = mkdtempSync(path.join(tmpdir(), 'nofear-bench-warm-convert-'));
  try {
    const pdfs = await samplePdfs(path.join(top, 'sources'));
    const cold = { one: [] as number[], ten: [] as number[] };
    const coldService = await serve(path.join(top, 'cold'), '[pool]\nsize = 0\n');
    try {
      for (let i = 0; i < runs; i++) {
        cold.one.push((await coldService.convert(`cold-${i}.pdf`, pdfs.one)).seconds);
        cold.ten.push((await coldService.convert(`cold-10-${i}.pdf`, pdfs.ten)).seconds);
      }
    } finally {
      await coldService.close();
    }
    const warm = { one: [] as number[], ten: [] as number[] };
    const rssMiB: number[] = [];
    const warmService = await serve(path.join(top, 'warm'), '[pool]\nmemory = 2G\n');
    try {
      await warmService.convert('first.pdf', pdfs.one); // conversions are used now: the pool keeps one ready (or more)
      const warmOnce = async (name: string, source: string) => {
        // Every ready one, not the next "ready" line: with two ready, the one taken may have been ready before the last job.
        const ready = await readyVms(warmService.service);
        const waitingRss = new Map(ready.map((id) => [id, qemuRssMiB(warmService.runtime, id)]));
        const served = await warmService.convert(name, source);
        if (!ready.includes(served.id)) throw new Error(`the conversion went to ${served.id}, not a ready VM (${ready.join(', ')}):\n${warmService.service.lines.join('\n')}`);
        return { seconds: served.seconds, rss: waitingRss.get(served.id) ?? 0 };
      };
      for (let i = 0; i < runs; i++) {
        const one = await warmOnce(`warm-${i}.pdf`, pdfs.one);
        warm.one.push(one.seconds);
        rssMiB.push(one.rss);
        warm.ten.push((await warmOnce(`warm-10-${i}.pdf`, pdfs.ten)).seconds);
      }
    } finally {
      await warmService.close();
    }
    const coldOne = summarise('convert a 1-page PDF, cold (no pool)', 's', cold.one);
    const coldTen = summarise('convert a 10-page PDF, cold (no pool)', 's', cold.ten);
    return [
      coldOne,
      withRatio(summarise('convert a 1-page PDF, warm (a ready conversion VM)', 's', warm.one), coldOne),
      summarise('a ready conversion VM: QEMU RSS', 'MiB', rssMiB),
      coldTen,
      withRatio(summarise('convert a 10-page PDF, warm (a ready conversion VM)', 's', warm.ten), coldTen),
    ];
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
}

export async function benchWarmConvert(): Promise<void> {
  const figures = await measureWarmConvert();
  printFigures('warm-convert', figures);
  recordFigures('warm-convert', figures);
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) printFigures('warm-convert', await measureWarmConvert());
