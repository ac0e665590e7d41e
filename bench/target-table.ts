// The targets' table: each target's figure (median, min, max, runs, ratio to its same-run baseline),
// the target, and whether it is met. A target not measured in this run says so instead of passing.
import { printFigures, type Figure } from './lib.js';

export interface Target {
  name: string;
  figure?: Figure;
  target: string;
  met: boolean | 'not measured';
}

export function targetFigure(figure: Figure, target: string, met: boolean): Target {
  return { name: figure.name, figure: { ...figure, note: `target ${target}: ${met ? 'met' : 'NOT MET'}` }, target, met };
}

/** A target whose figure this run has none of (its benchmark is not built yet, or failed). */
export function notMeasured(name: string, target: string, why: string): Target {
  return { name: `${name} (${why})`, target, met: 'not measured' };
}

const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2));

export function targetRows(targets: readonly Target[]): string[] {
  const rows = targets.map((t) => {
    const f = t.figure;
    const value = f === undefined ? '-' : `${fmt(f.median)} ${f.unit} [${fmt(f.min)}, ${fmt(f.max)}] n=${f.runs.length}`;
    const ratio = f?.ratio === undefined ? '' : `${f.ratio.value.toFixed(2)}x ${f.ratio.to.replace(/( \(|,).*$/, '')}`;
    const met = t.met === 'not measured' ? 'not measured' : t.met ? 'yes' : 'NO';
    return [t.name, value, ratio, t.target, met];
  });
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...[['figure', 'median [min, max]', 'ratio', 'target', 'met'], ...rows].map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ');
  return [line(['figure', 'median [min, max]', 'ratio', 'target', 'met']), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)];
}

export function printTargets(figures: readonly Figure[], targets: readonly Target[]): void {
  printFigures('targets: every figure of this run', figures);
  process.stdout.write(`\n== targets (issue 30), against baselines measured in this run\n${targetRows(targets).join('\n')}\n`);
}
