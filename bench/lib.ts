// Shared by the benchmarks: timing, medians, and the results files `make bench` writes.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// NOFEAR_BENCH_OUT: where they go when bench/ is not the runner's to write (a run as the test user).
const OUT = process.env.NOFEAR_BENCH_OUT ?? fileURLToPath(new URL('.', import.meta.url));
export const RESULTS_JSON = path.join(OUT, 'results.json');
export const RESULTS_MD = path.join(OUT, 'results.md');

export interface Figure {
  name: string;
  unit: string;
  median: number;
  min: number;
  max: number;
  runs: number[];
  /** Ratio of this figure's median to the named baseline's, measured in the same run. */
  ratio?: { to: string; value: number };
  note?: string;
}

export function summarise(name: string, unit: string, runs: number[], note?: string): Figure {
  const sorted = [...runs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return { name, unit, median, min: sorted[0] ?? 0, max: sorted.at(-1) ?? 0, runs, ...(note ? { note } : {}) };
}

export function withRatio(figure: Figure, baseline: Figure): Figure {
  return { ...figure, ratio: { to: baseline.name, value: figure.median / baseline.median } };
}

export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2));

export function printFigures(group: string, figures: readonly Figure[]): void {
  process.stdout.write(`\n== ${group}\n`);
  for (const f of figures) {
    const ratio = f.ratio ? `  (${f.ratio.value.toFixed(2)}x ${f.ratio.to})` : '';
    process.stdout.write(`${f.name}: median ${fmt(f.median)} ${f.unit} [min ${fmt(f.min)}, max ${fmt(f.max)}, n=${f.runs.length}]${ratio}${f.note ? `  - ${f.note}` : ''}\n`);
  }
}

/** Merges one group's figures into results.json and rewrites results.md from it. */
export function recordFigures(group: string, figures: readonly Figure[]): void {
  // NOFEAR_BENCH_OUT may name a folder not made yet: a run of many minutes must not be lost to it.
  mkdirSync(OUT, { recursive: true });
  const all: Record<string, Figure[]> = existsSync(RESULTS_JSON) ? (JSON.parse(readFileSync(RESULTS_JSON, 'utf8')) as Record<string, Figure[]>) : {};
  all[group] = [...figures];
  writeFileSync(RESULTS_JSON, `${JSON.stringify(all, null, 2)}\n`);
  const lines = ['# NoFear benchmark results', '', `Written by \`make bench\` on ${new Date().toISOString()}.`, ''];
  for (const [name, group] of Object.entries(all)) {
    lines.push(`## ${name}`, '', '| figure | median | min | max | runs | ratio |', '|---|---|---|---|---|---|');
    for (const f of group) {
      lines.push(`| ${f.name} | ${fmt(f.median)} ${f.unit} | ${fmt(f.min)} | ${fmt(f.max)} | ${f.runs.length} | ${f.ratio ? `${f.ratio.value.toFixed(2)}x ${f.ratio.to}` : ''} |`);
    }
    lines.push('');
  }
  writeFileSync(RESULTS_MD, lines.join('\n'));
}
