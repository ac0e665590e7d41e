// make demo: opens the bundled sample PDF with `nofear-open --wait` in a throwaway VM and says what
// happened and how long each phase took. Headless, it uses a private Xvfb and saves demo.png.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { samplePdf } from './sample-pdf.js';
import { findGuestKernel } from '../vm/kernel.js';
import { buildGuestImage } from '../vm/initramfs.js';
import { decideAccel } from '../vm/accel.js';
import { accelOfConfig, loadConfig } from '../config/index.js';
import { startPrivateDisplay, type PrivateDisplay } from './private-display.js';
import { lastComplaint, OpenProgress, parseStepLine, WindowNotShown, type OpenStep } from './open-progress.js';
import { setTimeout as delay } from 'node:timers/promises';
import { signalStatus } from '../util/exit-status.js';
import { onStopSignals } from '../util/stop-signals.js';
import { xdgDataDirs, xdgDataHome } from '../util/xdg.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OPEN = path.join(ROOT, 'dist', 'cli', 'nofear-open.js');

/** The demo's viewer: mupdf where installed (light under TCG), named so that the PDF does not go to whatever
 *  else claims PDFs first (on Debian, installing LibreOffice makes Draw GLib's choice); else the user's default. */
export function demoViewerArgs(env: NodeJS.ProcessEnv, exists: (file: string) => boolean = existsSync): string[] {
  const dirs = [xdgDataHome(env), ...xdgDataDirs(env)];
  return dirs.some((dir) => exists(path.join(dir, 'applications', 'mupdf.desktop'))) ? ['--with', 'mupdf.desktop'] : [];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function phase(name: string, ms: number | undefined, detail = ''): void {
  process.stdout.write(`  ${name.padEnd(14)} ${ms === undefined ? '     -' : seconds(ms).padStart(7)}${detail ? `  ${detail}` : ''}\n`);
}

/** How long each phase took, set-up to window. */
function reportPhases(env: NodeJS.ProcessEnv, timing: { imageMs: number; image: { reused: boolean; path: string }; steps: Partial<Record<OpenStep, number>>; windowMs: number }): void {
  const { steps } = timing;
  const ms = (value: number | undefined) => (value === undefined ? undefined : value * 1000);
  process.stdout.write('Phases:\n');
  phase('dependencies', msFromEnv(env.NOFEAR_DEMO_DEPS_MS));
  phase('build', msFromEnv(env.NOFEAR_DEMO_BUILD_MS));
  phase('guest image', timing.imageMs, timing.image.reused ? `reusing the cached guest image ${timing.image.path}` : `built ${timing.image.path}`);
  phase('boot', ms(steps.booted));
  phase('guest server', ms(steps.server), "the guest's Xpra server listening");
  phase('attached', ms(steps.attached), 'the host Xpra client attached');
  phase('window', ms(steps.window) ?? timing.windowMs, "from nofear-open to the window on the display (NoFear's own report)");
}

/** The guest image the demo boots, and how long finding the kernel and building (or reusing) it took. */
async function demoImage(env: NodeJS.ProcessEnv): Promise<{ image: { reused: boolean; path: string }; imageMs: number }> {
  const imageStart = Date.now();
  const kernel = await findGuestKernel({ env, progress: (line) => process.stdout.write(`  ${line}\n`) });
  const image = await buildGuestImage(kernel, env);
  return { image, imageMs: Date.now() - imageStart };
}

/** `nofear-open --wait` on the sample, its stderr piped for the progress lines. */
function startOpen(env: NodeJS.ProcessEnv, displayName: string, sample: string): ChildProcess {
  const viewer = demoViewerArgs(env);
  if (viewer.length > 0) process.stdout.write("  Viewer: mupdf, the demo's light PDF viewer (your own files open in your default viewer).\n");
  return spawn(process.execPath, [OPEN, '--wait', '--no-service', '--verbose', ...viewer, sample], {
    env: { ...env, DISPLAY: displayName },
    stdio: ['ignore', 'inherit', 'pipe'],
  });
}

/** Headless: the rendered window saved as a PNG, then nofear-open ended. Returns the file, or what went wrong. */
async function captureAndEnd(env: NodeJS.ProcessEnv, displayName: string, windowId: string, child: ChildProcess, progress: OpenProgress): Promise<{ shot: string; problem?: string }> {
  const shot = env.NOFEAR_DEMO_PNG ?? path.join(ROOT, 'demo.png');
  // The viewer paints right after mapping: wait for the window to hold a rendered page, bounded.
  const problem = await screenshotRendered(displayName, windowId, shot, progress.exited);
  child.kill('SIGTERM');
  await progress.exited;
  return { shot, problem };
}

/** The accelerator and the screenshot, then the demo's status: 1 when nofear-open ended otherwise than expected. */
function reportEnd(run: { status: number; expected: number; accel: { accel: string; reason?: string }; shot: string | undefined; stderr: string }): number {
  const { status, expected, accel, shot } = run;
  process.stdout.write(`Accelerator: ${accel.accel === 'kvm' ? 'KVM' : `TCG (software emulation) because ${accel.reason}`}\n`);
  if (shot !== undefined) process.stdout.write(`Screenshot of the forwarded window: ${shot}\n`);
  if (status !== expected && status !== 0) {
    process.stderr.write(`demo: nofear-open ended with status ${status}: ${lastComplaint(run.stderr) ?? 'no reason given'}. Fix: nofearctl doctor\n`);
    return 1;
  }
  return 0;
}

export async function runDemo(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const work = mkdtempSync(path.join(tmpdir(), 'nofear-demo-'));
  const sample = path.join(work, 'NoFear sample.pdf');
  writeFileSync(sample, samplePdf());
  let display: PrivateDisplay | undefined;
  let signalled: NodeJS.Signals | undefined;
  let stopListening = () => {};
  try {
    process.stdout.write('NoFear demo: opening a sample PDF in a throwaway VM\n\n');
    const accel = decideAccel(env, accelOfConfig(loadConfig(env).config));
    const { image, imageMs } = await demoImage(env);

    const headless = !env.DISPLAY;
    if (headless) display = await startPrivateDisplay();
    const displayName = display?.display ?? env.DISPLAY ?? '';
    if (headless) process.stdout.write(`  No DISPLAY here: using a private display (${displayName}).\n`);
    const started = Date.now();
    const child = startOpen(env, displayName, sample);
    // The demo's own end (Ctrl-C, a kill) ends nofear-open, which stops its VM; the waits below end with it.
    const onSignal = (signal: NodeJS.Signals) => {
      signalled ??= signal;
      child.kill(signal);
    };
    stopListening = onStopSignals(onSignal);
    const progress = new OpenProgress(child, (line) => {
      const step = parseStepLine(line);
      if (step !== undefined) process.stdout.write(`  ${STEP_NAMES[step.step].padEnd(14)} ${seconds(step.seconds * 1000).padStart(7)}\n`);
    });
    let xid: number;
    try {
      xid = await progress.window;
    } catch (error) {
      if (!(error instanceof WindowNotShown)) throw error;
      process.stderr.write(`demo: ${error.message}. Fix: ${signalled === undefined ? 'nofearctl doctor, then make demo again' : 'run make demo again'}\n`);
      return signalled === undefined ? 1 : signalStatus(signalled);
    }
    const windowMs = Date.now() - started;
    const id = `0x${xid.toString(16)}`;
    process.stdout.write(`\nWindow ${id} is on ${headless ? `a private display (${displayName})` : `your display ${displayName}`}.\n\n`);
    let shot: string | undefined;
    if (headless) {
      const captured = await captureAndEnd(env, displayName, id, child, progress);
      if (captured.problem !== undefined) {
        process.stderr.write(`demo: ${captured.problem} Fix: nofearctl doctor, then make demo again\n`);
        return 1;
      }
      shot = captured.shot;
    } else {
      process.stdout.write('Close the window to end the demo.\n');
    }
    const status = await progress.exited;
    reportPhases(env, { imageMs, image, steps: progress.seconds, windowMs });
    return reportEnd({ status, expected: headless ? 143 : 0, accel, shot, stderr: progress.stderr });
  } finally {
    stopListening();
    await display?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

const STEP_NAMES: Record<OpenStep, string> = { booted: 'booted', server: 'guest server', attached: 'attached', window: 'window' };

function msFromEnv(value: string | undefined): number | undefined {
  return value !== undefined && /^[0-9]+$/.test(value) ? Number(value) : undefined;
}

/**
 * Screenshots the reported window until it shows many colours (the page is rendered), within 30 s;
 * stops at once when nofear-open ends. Returns what went wrong, in words, or undefined.
 */
async function screenshotRendered(display: string, windowId: string, file: string, childExited: Promise<number>): Promise<string | undefined> {
  const deadline = Date.now() + 30_000;
  let ended = false;
  void childExited.then(() => {
    ended = true;
  });
  for (;;) {
    const shot = await execa('import', ['-window', windowId, file], { env: { DISPLAY: display }, timeout: 20_000, reject: false });
    if (shot.failed) {
      if (ended) return `nofear-open ended before the window ${windowId} could be captured.`;
      return `the window NoFear reported (${windowId}) could not be captured: ${shot.stderr.split('\n')[0] ?? shot.shortMessage}`;
    }
    const colours = Number((await execa('identify', ['-format', '%k', file])).stdout.trim());
    if (colours >= 16 || Date.now() > deadline) return undefined;
    if (ended) return `nofear-open ended before the page was rendered in ${windowId}.`;
    await Promise.race([delay(250), childExited]);
  }
}
