// Where one NoFear process spends its time on the host, for the benchmark (NOFEAR_PHASES=1): named marks
// in order, each phase the time since the one before (the first since the process started, so Node's
// start and NoFear's imports are in it). Off, a mark is one comparison: the marks stay in the code.
import { performance } from 'node:perf_hooks';

const marks: Array<{ name: string; at: number }> = [];
const enabled = process.env.NOFEAR_PHASES === '1';

/** The phase that ends now is `name` (a later mark of the same name adds another phase). */
export function markPhase(name: string): void {
  if (enabled) marks.push({ name, at: performance.now() });
}

/** "name 0.123 s, ..." (the phases in order) from marks in milliseconds since the process started. */
export function formatPhases(list: ReadonlyArray<{ name: string; at: number }>): string {
  return list.map((mark, i) => `${mark.name} ${((mark.at - (list[i - 1]?.at ?? 0)) / 1000).toFixed(3)} s`).join(', ');
}

/** The line the benchmark reads (`PROGRAM: phases: ...`), or nothing when NOFEAR_PHASES is not 1. */
export function phasesLine(program: string): string | undefined {
  return enabled && marks.length > 0 ? `${program}: phases: ${formatPhases(marks)}` : undefined;
}
