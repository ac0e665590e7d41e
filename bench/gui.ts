// The GUI cold path: from `nofear --gui xclock` to its window on the host display, split by phase,
// and QEMU's memory with the window up, with NoFear's TCG cache size and with QEMU's default.
import { execa } from 'execa';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rssKiB } from '../src/util/proc.js';
import { printFigures, recordFigures, summarise, timed, withRatio, type Figure } from './lib.js';
import { startXvfb } from '../test/helpers/xvfb.js';

const RUNS = Number(process.env.NOFEAR_BENCH_RUNS ?? 3);
const NOFEAR = fileURLToPath(new URL('../dist/cli/nofear.js', import.meta.url));

interface GuiRun {
  window: number;
  phases: Record<string, number>;
  rssMiB: number;
}

async function oneRun(display: string, runtime: string, extraEnv: Record<string, string>): Promise<GuiRun> {
  const started = Date.now();
  const child = execa(process.execPath, [NOFEAR, '-t', '-v', '--gui', 'xclock'], {
    env: { ...process.env, ...extraEnv, DISPLAY: display, XDG_RUNTIME_DIR: runtime },
    reject: false,
  });
  const phases: Record<string, number> = {};
  child.stderr?.on('data', (chunk: Buffer) => {
    for (const match of chunk.toString().matchAll(/gui: (\w+) after ([0-9.]+) s/g)) phases[match[1] ?? ''] = Number(match[2]);
  });
  const window = await timed(() => execa('xdotool', ['search', '--sync', '--onlyvisible', '--name', '^\\[NoFear'], { env: { DISPLAY: display }, timeout: 180_000 }));
  const waitedFromStart = (Date.now() - started) / 1000;
  const base = path.join(runtime, 'nofear');
  const [id] = readdirSync(base);
  const record = JSON.parse(readFileSync(path.join(base, id ?? '', 'sandbox.json'), 'utf8')) as { vmm?: { pid: number } };
  const rss = record.vmm ? (rssKiB(record.vmm.pid) ?? 0) / 1024 : 0;
  child.kill('SIGTERM');
  await child;
  return { window: Math.max(window, waitedFromStart), phases, rssMiB: rss };
}

export async function benchGui(): Promise<void> {
  const x = await startXvfb();
  const top = mkdtempSync(path.join(tmpdir(), 'nofear-bench-gui-'));
  const runtime = path.join(top, 'run');
  mkdirSync(runtime, { mode: 0o700 });
  try {
    await oneRun(x.display, runtime, {}); // warm the image cache and the host page cache
    const runs: GuiRun[] = [];
    const defaults: GuiRun[] = [];
    for (let i = 0; i < RUNS; i++) {
      runs.push(await oneRun(x.display, runtime, {}));
      defaults.push(await oneRun(x.display, runtime, { NOFEAR_TB_SIZE: 'default' }));
    }
    const phase = (name: string) => runs.map((r) => r.phases[name] ?? NaN).filter((n) => !Number.isNaN(n));
    const figures: Figure[] = [
      summarise('first window on the host (cold, TCG)', 's', runs.map((r) => r.window)),
      summarise('  phase: VM booted, job sent', 's', phase('booted')),
      summarise('  phase: guest Xpra server listening', 's', phase('server')),
      summarise('  phase: host client attached', 's', phase('attached')),
    ];
    const rssDefault = summarise('QEMU RSS, window up, QEMU default tb-size', 'MiB', defaults.map((r) => r.rssMiB));
    const rssChosen = withRatio(summarise('QEMU RSS, window up, tb-size=256 (NoFear)', 'MiB', runs.map((r) => r.rssMiB)), rssDefault);
    figures.push(rssDefault, rssChosen, summarise('first window, QEMU default tb-size', 's', defaults.map((r) => r.window)));
    printFigures('gui', figures);
    recordFigures('gui', figures);
  } finally {
    await x.stop();
    rmSync(top, { recursive: true, force: true });
  }
}
