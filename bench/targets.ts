// Issue 30's targets in one run, each against the baseline measured in that same run: the boot floor
// (QEMU + kernel + poweroff) and the viewer started natively. Cold open (by step), warm open, warm edit
// open, `nofear -t true` (by host-side phase, NOFEAR_PHASES=1), and a ready GUI VM's idle CPU and memory
// in all. Medians with min and max over NOFEAR_BENCH_RUNS runs (default 5); a column says whether each
// target is met. Warm conversion figures come from bench/warm-convert.ts (bench/warm-convert-targets.ts).
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { samplePdf } from '../src/demo/sample-pdf.js';
import { OPEN_STEPS, type OpenStep } from '../src/demo/open-progress.js';
import { startXvfb } from '../test/helpers/xvfb.js';
import { bootFloorOnce, floorArgv } from './boot.js';
import { recordFigures, summarise, timed, withRatio, type Figure } from './lib.js';
import { coldOnce, MEMORY_PARTS, nativeOnce, warm } from './open.js';
import { printTargets, targetFigure, type Target } from './target-table.js';
import { warmConvertTargets } from './warm-convert-targets.js';

const RUNS = Number(process.env.NOFEAR_BENCH_RUNS ?? 5);
const NOFEAR = fileURLToPath(new URL('../dist/cli/nofear.js', import.meta.url));

interface TrueRun {
  seconds: number;
  phases: Map<string, number>;
  guestPhases: Map<string, number>;
}

/** One `nofear -t true`, with its host-side phases (nofear's own `phases:` line) and the guest's (its traced console). */
async function trueOnce(env: NodeJS.ProcessEnv): Promise<TrueRun> {
  let stderr = '';
  const seconds = await timed(async () => {
    // The guest's trace is a few echo lines on its console, no fork: it costs the run nothing measurable.
    stderr = (await execa(process.execPath, [NOFEAR, '-t', 'true'], { env: { ...env, NOFEAR_PHASES: '1', NOFEAR_TRACE: '1', NOFEAR_CONSOLE: '1' }, timeout: 120_000 })).stderr;
  });
  const line = /^nofear: phases: (.*)$/m.exec(stderr)?.[1] ?? '';
  const phases = new Map<string, number>();
  for (const match of line.matchAll(/([^,]+?) ([0-9.]+) s(?:, |$)/g)) phases.set(match[1] ?? '', (phases.get(match[1] ?? '') ?? 0) + Number(match[2]));
  return { seconds, phases, guestPhases: guestPhases(stderr) };
}

/**
 * The guest's phases from its `nofear-trace MARK UPTIME` console lines (init.sh, agent.sh): each mark's
 * phase is the guest's time since the mark before it (the first, `init`, since the kernel started).
 */
export function guestPhases(consoleText: string): Map<string, number> {
  const phases = new Map<string, number>();
  let before = 0;
  let previous = 'kernel start';
  for (const [, mark = '', at = ''] of consoleText.matchAll(/^nofear-trace (\S+) ([0-9.]+)\r?$/gm)) {
    const name = `${previous} -> ${mark}`;
    phases.set(name, (phases.get(name) ?? 0) + Number(at) - before);
    before = Number(at);
    previous = mark;
  }
  return phases;
}

interface Cold {
  native: number[];
  floor: number[];
  cold: Array<Partial<Record<OpenStep, number>>>;
  trueRuns: TrueRun[];
}

/** The cold figures and their baselines, interleaved so that the machine's load falls on all alike. */
async function coldRuns(display: string, dir: string, file: string, env: NodeJS.ProcessEnv): Promise<Cold> {
  const floorArgs = await floorArgv(dir);
  const runs: Cold = { native: [], floor: [], cold: [], trueRuns: [] };
  await trueOnce(env); // the image cache and the host's page cache: not what is measured
  for (let i = 0; i < RUNS; i++) {
    runs.native.push(await nativeOnce(display, file));
    runs.floor.push(await bootFloorOnce(floorArgs));
    runs.cold.push(await coldOnce(env, file));
    runs.trueRuns.push(await trueOnce(env));
  }
  return runs;
}

function coldFigures(runs: Cold): { figures: Figure[]; targets: Target[] } {
  const native = summarise('mupdf started natively, to its window', 's', runs.native);
  const floor = summarise('boot floor (QEMU + kernel + poweroff)', 's', runs.floor);
  const step = (name: OpenStep) => runs.cold.map((c) => c[name] ?? Number.NaN).filter((n) => !Number.isNaN(n));
  const cold = withRatio(summarise('cold open (nofear-open --no-service), to the window', 's', step('window')), floor);
  const noop = withRatio(
    summarise(
      'nofear -t true',
      's',
      runs.trueRuns.map((r) => r.seconds),
    ),
    floor,
  );
  const phaseNames = [...new Set(runs.trueRuns.flatMap((r) => [...r.phases.keys()]))];
  const phases = phaseNames.map((name) =>
    summarise(
      `  nofear -t true phase: ${name}`,
      's',
      runs.trueRuns.map((r) => r.phases.get(name) ?? 0),
    ),
  );
  const guestNames = [...new Set(runs.trueRuns.flatMap((r) => [...r.guestPhases.keys()]))];
  const guest = guestNames.map((name) =>
    summarise(
      `  nofear -t true guest phase: ${name}`,
      's',
      runs.trueRuns.map((r) => r.guestPhases.get(name) ?? 0),
      "the guest's uptime between its trace marks",
    ),
  );
  const steps = OPEN_STEPS.filter((s) => s !== 'window').map((s) => summarise(`  cold open step: ${s} (from the start)`, 's', step(s)));
  return {
    figures: [native, floor, cold, ...steps, noop, ...phases, ...guest],
    targets: [targetFigure(cold, '<= 4x floor', cold.median <= 4 * floor.median), targetFigure(noop, '<= 1.3x floor', noop.median <= 1.3 * floor.median)],
  };
}

export async function benchTargets(): Promise<void> {
  const x = await startXvfb();
  const dir = mkdtempSync(path.join(tmpdir(), 'nofear-bench-targets-'));
  const runtime = path.join(dir, 'run');
  mkdirSync(runtime, { mode: 0o700 });
  const file = path.join(dir, 'report.pdf');
  writeFileSync(file, samplePdf());
  const env = { ...process.env, DISPLAY: x.display, XDG_RUNTIME_DIR: runtime };
  try {
    const coldSet = coldFigures(await coldRuns(x.display, dir, file, env));
    const [native, , cold] = coldSet.figures as [Figure, Figure, Figure];
    const w = await warm(x.display, dir, file, RUNS, RUNS, RUNS);
    const warmOpen = withRatio(summarise('warm open (OpenFiles, a ready VM), to the window', 's', w.windows), native);
    const speedUp = summarise('warm open: cold median / warm median', 'x', [cold.median / warmOpen.median]);
    const edit = withRatio(summarise('warm edit open (nofear-open --edit from the desktop, a ready edit VM), to the window', 's', w.edits), native);
    const coldEdit = summarise('  cold edit open (the same, no edit VM ready yet: the first edit)', 's', w.coldEdit);
    const cpu = summarise('ready GUI VM idle: QEMU + host client CPU', '% of one core', w.idleCpu, 'over 30 s');
    const memory = summarise('ready GUI VM memory in all (PSS: QEMU, its jail, host client)', 'MiB', w.allPssMiB);
    const parts = [
      ...MEMORY_PARTS.map((part) =>
        summarise(
          `  ready GUI VM memory: ${part} (PSS)`,
          'MiB',
          w.parts.map((p) => p[part]),
        ),
      ),
      summarise('  ready GUI VM: QEMU RSS', 'MiB', w.qemuRssMiB),
      summarise('  ready GUI VM: host client RSS', 'MiB', w.clientRssMiB),
    ];
    const targets: Target[] = [
      ...coldSet.targets,
      targetFigure(warmOpen, '<= 1.5x native', warmOpen.median <= 1.5 * native.median),
      targetFigure(speedUp, '>= 10x faster than cold', speedUp.median >= 10),
      targetFigure(edit, '<= 1.5x native (as a warm open)', edit.median <= 1.5 * native.median),
      targetFigure(cpu, '<= 3 % of one core', cpu.median <= 3),
      targetFigure(memory, '<= 400 MiB', memory.median <= 400),
    ];
    const conversions = await warmConvertTargets(memory, RUNS);
    targets.push(...conversions.targets);
    const figures = [...coldSet.figures, warmOpen, speedUp, edit, coldEdit, cpu, memory, ...parts, ...conversions.figures];
    printTargets(figures, targets);
    // Each figure once, with its target's verdict in its note where it has one.
    const verdicts = new Map(targets.flatMap((t) => (t.figure === undefined ? [] : [[t.figure.name, t.figure] as const])));
    recordFigures(
      'targets',
      figures.map((f) => verdicts.get(f.name) ?? f),
    );
  } finally {
    await x.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
