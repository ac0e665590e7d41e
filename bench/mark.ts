// The mark of the outside: from a file's arrival in an untrusted place to NoFear's mark on it (the service's
// watcher: chokidar, a batch window, the xattr helper), against the floor of chokidar seeing the same arrival.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { watch } from 'chokidar';
import { watchArrivals } from '../src/trust/watcher.js';
import { printFigures, recordFigures, summarise, withRatio } from './lib.js';

const RUNS = Number(process.env.NOFEAR_BENCH_RUNS ?? 9);

/** Seconds from writing each file to `seen(file)`, one file at a time. */
async function arrivals(dir: string, seen: (handler: (file: string) => void) => void): Promise<number[]> {
  const waiting = new Map<string, () => void>();
  seen((file) => waiting.get(file)?.());
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const file = path.join(dir, `arrival-${i}.pdf`);
    const start = process.hrtime.bigint();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${file} was not seen within 30 s`)), 30_000);
      waiting.set(file, () => {
        clearTimeout(timer);
        resolve();
      });
      writeFileSync(file, '%PDF-1.4\n');
    });
    runs.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  return runs;
}

export async function benchMark(): Promise<void> {
  const floorDir = mkdtempSync(path.join(tmpdir(), 'nofear-bench-floor-'));
  const markDir = mkdtempSync(path.join(tmpdir(), 'nofear-bench-mark-'));
  const floorWatch = watch(floorDir, { ignoreInitial: true });
  await new Promise<void>((resolve) => floorWatch.once('ready', () => resolve()));
  let onMarked: (file: string) => void = () => {};
  const marks = watchArrivals({ env: process.env, places: [markDir], skipped: [] }, { log: () => {}, onMarked: (files) => files.forEach((f) => onMarked(f)) });
  await marks.ready;
  try {
    const floor = summarise('chokidar sees an arrival (floor)', 's', await arrivals(floorDir, (h) => floorWatch.on('add', h)));
    const marked = withRatio(summarise('time to mark an arrival', 's', await arrivals(markDir, (h) => (onMarked = h)), 'written to the mark in user.nofear.origin'), floor);
    printFigures('mark of the outside', [floor, marked]);
    recordFigures('mark of the outside', [floor, marked]);
  } finally {
    await floorWatch.close();
    await marks.close();
    rmSync(floorDir, { recursive: true, force: true });
    rmSync(markDir, { recursive: true, force: true });
  }
}
