// The GUI cold path: from `nofear --gui xclock` to its window on the host display, split by phase,
// and QEMU's memory with the window up, with NoFear's TCG cache size and with QEMU's default. Also
// what the host client's jail and policy cost: the cold open with and without them, and the client's
// own attach to a ready server (no VM), where nothing hides it.
import { execa } from 'execa';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rssKiB } from '../src/util/proc.js';
import { printFigures, recordFigures, summarise, withRatio, type Figure } from './lib.js';
import { reportedWindow, startXvfb } from '../test/helpers/xvfb.js';
import { measureClientAttach } from './client-attach.js';

const RUNS = Number(process.env.NOFEAR_BENCH_RUNS ?? 3);
const WINDOW_DEADLINE_MS = 180_000;
const CLIENT_RUNS = 9; // client attaches without a VM: cheap, and noisier than a VM's seconds
/** The baseline for the client's jail and policy: Xpra's own client, unjailed (as before issue 18). */
const NO_JAIL_NO_POLICY = { NOFEAR_CLIENT_JAIL: 'off', NOFEAR_CLIENT_POLICY: 'off' };
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
  // NoFear's own report of the window (as the demo and the tests wait): xdotool's --sync search dies
  // with BadWindow when a window it lists is destroyed before it looks, as start-up windows are.
  await reportedWindow(child, WINDOW_DEADLINE_MS);
  const waitedFromStart = (Date.now() - started) / 1000;
  const base = path.join(runtime, 'nofear');
  const [id] = readdirSync(base);
  const record = JSON.parse(readFileSync(path.join(base, id ?? '', 'sandbox.json'), 'utf8')) as { vmm?: { pid: number } };
  const rss = record.vmm ? (rssKiB(record.vmm.pid) ?? 0) / 1024 : 0;
  child.kill('SIGTERM');
  await child;
  return { window: waitedFromStart, phases, rssMiB: rss };
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
    const unjailed: GuiRun[] = [];
    for (let i = 0; i < RUNS; i++) {
      // NoFear and its client baseline in alternating order: a run's position in the loop (what the
      // previous VM's teardown leaves behind) must not count as the jail's cost.
      if (i % 2 === 1) unjailed.push(await oneRun(x.display, runtime, NO_JAIL_NO_POLICY));
      runs.push(await oneRun(x.display, runtime, {}));
      if (i % 2 === 0) unjailed.push(await oneRun(x.display, runtime, NO_JAIL_NO_POLICY));
      defaults.push(await oneRun(x.display, runtime, { NOFEAR_TB_SIZE: 'default' }));
    }
    const phase = (name: string) => runs.map((r) => r.phases[name] ?? NaN).filter((n) => !Number.isNaN(n));
    const figures: Figure[] = [
      summarise(
        'first window on the host (cold, TCG)',
        's',
        runs.map((r) => r.window),
      ),
      summarise('  phase: VM booted, job sent', 's', phase('booted')),
      summarise('  phase: guest Xpra server listening', 's', phase('server')),
      summarise('  phase: host client attached', 's', phase('attached')),
    ];
    const rssDefault = summarise(
      'QEMU RSS, window up, QEMU default tb-size',
      'MiB',
      defaults.map((r) => r.rssMiB),
    );
    const rssChosen = withRatio(
      summarise(
        'QEMU RSS, window up, tb-size=256 (NoFear)',
        'MiB',
        runs.map((r) => r.rssMiB),
      ),
      rssDefault,
    );
    figures.push(
      rssDefault,
      rssChosen,
      summarise(
        'first window, QEMU default tb-size',
        's',
        defaults.map((r) => r.window),
      ),
    );
    figures.push(...(await clientFigures(runs, unjailed)));
    printFigures('gui', figures);
    recordFigures('gui', figures);
  } finally {
    await x.stop();
    rmSync(top, { recursive: true, force: true });
  }
}

/** The host client's jail and policy: on the cold open (where the client starts with QEMU and waits
 * for the guest, so its own start is hidden), and on an attach to a ready server (where it is not). */
async function clientFigures(runs: GuiRun[], unjailed: GuiRun[]): Promise<Figure[]> {
  const attachedPhase = (set: GuiRun[]) => set.map((r) => r.phases.attached ?? NaN).filter((n) => !Number.isNaN(n));
  // From the guest server listening to the client attached (the boot's noise taken out): the guest's
  // server reading the hello the client sent when it started, under TCG.
  const afterServer = (set: GuiRun[]) => set.map((r) => (r.phases.attached ?? NaN) - (r.phases.server ?? NaN)).filter((n) => !Number.isNaN(n));
  const coldBaseline = summarise('  cold: host client attached, no client jail or policy', 's', attachedPhase(unjailed));
  const cold = withRatio(summarise('  cold: host client attached, jail + policy (NoFear)', 's', attachedPhase(runs)), coldBaseline);
  const handshakeBaseline = summarise('  cold: attached after the guest server, no client jail or policy', 's', afterServer(unjailed));
  const handshake = withRatio(summarise('  cold: attached after the guest server, jail + policy (NoFear)', 's', afterServer(runs)), handshakeBaseline);
  const attach = await measureClientAttach(CLIENT_RUNS);
  const seconds = (mode: keyof typeof attach) => attach[mode].map((t) => t.attached);
  const baseline = summarise('client attach to a ready server (no VM), no jail or policy', 's', seconds('neither'));
  const nofear = withRatio(summarise('client attach to a ready server (no VM), jail + policy (NoFear)', 's', seconds('jail+policy')), baseline);
  const cost = (label: string, a: Figure, b: Figure) => summarise(label, 's', [a.median - b.median], 'difference of the medians above; must stay under 0.3 s');
  return [
    coldBaseline,
    cold,
    cost('  cold: cost of the client jail + policy', cold, coldBaseline),
    handshakeBaseline,
    handshake,
    summarise('client attach (no VM), policy only', 's', seconds('policy')),
    summarise('client attach (no VM), jail only', 's', seconds('jail')),
    baseline,
    nofear,
    cost('client attach (no VM): cost of the jail + policy', nofear, baseline),
  ];
}
