// make demo: opens the bundled sample PDF with `nofear-open --wait` in a throwaway VM and says what
// happened and how long each phase took. Headless, it uses a private Xvfb and saves demo.png.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { samplePdf } from './sample-pdf.js';
import { findGuestKernel } from '../vm/kernel.js';
import { buildGuestImage } from '../vm/initramfs.js';
import { chooseAccel, readAccelFacts } from '../vm/accel.js';
import { startPrivateDisplay, type PrivateDisplay } from './private-display.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OPEN = path.join(ROOT, 'dist', 'cli', 'nofear-open.js');

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function phase(name: string, ms: number | undefined, detail = ''): void {
  process.stdout.write(`  ${name.padEnd(14)} ${ms === undefined ? '     -' : seconds(ms).padStart(7)}${detail ? `  ${detail}` : ''}\n`);
}

export async function runDemo(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const work = mkdtempSync(path.join(tmpdir(), 'nofear-demo-'));
  const sample = path.join(work, 'NoFear sample.pdf');
  writeFileSync(sample, samplePdf());
  let display: PrivateDisplay | undefined;
  try {
    process.stdout.write('NoFear demo: opening a sample PDF in a throwaway VM\n\n');
    const accel = chooseAccel(readAccelFacts(env));
    const imageStart = Date.now();
    const kernel = await findGuestKernel({ env, progress: (line) => process.stdout.write(`  ${line}\n`) });
    const image = await buildGuestImage(kernel, env);
    const imageMs = Date.now() - imageStart;

    const headless = !env.DISPLAY;
    if (headless) display = await startPrivateDisplay();
    const displayName = display?.display ?? env.DISPLAY ?? '';
    const started = Date.now();
    const child = spawn(process.execPath, [OPEN, '--wait', '--no-service', '--verbose', sample], {
      env: { ...env, DISPLAY: displayName },
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    const steps: Record<string, number> = {};
    let stderrTail = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString()).slice(-4000);
      for (const match of chunk.toString().matchAll(/: (booted|server|attached) after ([0-9.]+) s/g)) steps[match[1] ?? ''] = Number(match[2]) * 1000;
    });
    const exited = new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
    const window = await execa('xdotool', ['search', '--sync', '--onlyvisible', '--name', '^\\[NoFear'], { env: { DISPLAY: displayName }, timeout: 240_000, reject: false });
    const windowId = window.stdout.trim().split('\n')[0] ?? '';
    const windowMs = Date.now() - started;
    if (window.failed || windowId === '') {
      child.kill('SIGTERM');
      await exited;
      process.stderr.write(`demo: no NoFear window appeared.\n${stderrTail}\nFix: nofearctl doctor\n`);
      return 1;
    }
    const title = (await execa('xdotool', ['getwindowname', windowId], { env: { DISPLAY: displayName } })).stdout;
    process.stdout.write(`Window "${title}" is on ${headless ? `a private display (${displayName})` : `your display ${displayName}`}.\n\n`);
    let shot: string | undefined;
    if (headless) {
      shot = env.NOFEAR_DEMO_PNG ?? path.join(ROOT, 'demo.png');
      // The viewer paints right after mapping: wait for the window to hold a rendered page, bounded.
      await waitRendered(displayName, windowId, shot);
      child.kill('SIGTERM');
    } else {
      process.stdout.write('Close the window to end the demo.\n');
    }
    const status = await exited;
    process.stdout.write('Phases:\n');
    phase('dependencies', msFromEnv(env.NOFEAR_DEMO_DEPS_MS));
    phase('build', msFromEnv(env.NOFEAR_DEMO_BUILD_MS));
    phase('guest image', imageMs, image.reused ? `reusing the cached guest image ${image.path}` : `built ${image.path}`);
    phase('boot', steps.booted);
    phase('viewer ready', steps.attached, 'guest Xpra server up, host client attached');
    phase('window', windowMs, 'from nofear-open to the window on the display');
    process.stdout.write(`Accelerator: ${accel.accel === 'kvm' ? 'KVM' : `TCG (software emulation) because ${accel.reason}`}\n`);
    if (shot !== undefined) process.stdout.write(`Screenshot of the forwarded window: ${shot}\n`);
    const expected = headless ? 143 : 0;
    if (status !== expected && status !== 0) {
      process.stderr.write(`demo: nofear-open ended with status ${status}.\n${stderrTail}\n`);
      return 1;
    }
    return 0;
  } finally {
    await display?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

function msFromEnv(value: string | undefined): number | undefined {
  return value !== undefined && /^[0-9]+$/.test(value) ? Number(value) : undefined;
}

/** Screenshots the window until it shows many colours (the page is rendered), within 30 s. */
async function waitRendered(display: string, windowId: string, file: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    await execa('import', ['-window', windowId, file], { env: { DISPLAY: display }, timeout: 20_000 });
    const colours = Number((await execa('identify', ['-format', '%k', file])).stdout.trim());
    if (colours >= 16 || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
