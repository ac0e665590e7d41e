// The slot for the warm conversion figures of bench/targets.ts: a warm convert of a 1-page and a 10-page
// PDF against cold, and a ready conversion VM's memory. Not measured here yet (the pool half of issue 30
// builds the conversion pool); until then the table says "not measured" rather than leaving them out.
import type { Figure } from './lib.js';
import { notMeasured, type Target } from './target-table.js';

export interface WarmConvertContext {
  display: string;
  /** A scratch directory of this run (removed after it). */
  dir: string;
  /** The boot floor measured in this run. */
  floor: Figure;
  runs: number;
}

export function warmConvertTargets(context: WarmConvertContext): Promise<Target[]> {
  void context; // the measurement that will use it is not written yet
  const why = 'no benchmark yet';
  return Promise.resolve([
    notMeasured('warm convert, 1-page PDF, against cold', 'faster than cold', why),
    notMeasured('warm convert, 10-page PDF, against cold', 'faster than cold', why),
    notMeasured('ready conversion VM memory in all', 'far under a GUI VM', why),
  ]);
}
