// make demo's path without a display: a private Xvfb, demo.png of the window NoFear reported, nothing
// left; runs in a row (the last with both cores busy: two in CI, five in `make stress`, which sets
// NOFEAR_DEMO_RUNS), and a demo whose nofear-open is killed.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { ROOT } from '../helpers/cli.js';
import { pollUntil } from '../../src/util/poll.js';

/**
 * QEMU and the client name the demo's runtime dir in their argv; the demo's Xvfb is known by the display
 * it printed (its socket goes with it). Processes that are dying get a moment (bounded) to be gone.
 */
async function nothingLeft(runtimeDir: string, output: string): Promise<void> {
  const display = /private display \(:([0-9]+)\)/.exec(output)?.[1];
  let left = '';
  await pollUntil(
    async () => {
      const processes = (await execa('pgrep', ['-af', runtimeDir], { reject: false })).stdout.trim();
      const xvfb = display !== undefined && existsSync(`/tmp/.X11-unix/X${display}`) ? `Xvfb :${display}` : '';
      left = `${processes}${xvfb}`;
      return left === '';
    },
    2000,
    50,
  );
  assert.equal(left, '', 'left running');
}

/** One busy loop per core, as a loaded desktop would have. */
function busyLoops(): ChildProcess[] {
  return cpus().map(() => spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore', detached: true }));
}

function stopLoops(loops: ChildProcess[]): void {
  for (const loop of loops) {
    try {
      process.kill(-(loop.pid ?? 0), 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** The first run builds or reuses the image, the next ones must reuse it; the last runs beside busy loops. */
const RUNS = Math.max(2, Number(process.env.NOFEAR_DEMO_RUNS || 2));

describe('make demo, headless (real QEMU, Xvfb, mupdf)', function () {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-demo-test-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const demoEnv = (png: string) => {
    const env: Record<string, string | undefined> = { ...process.env, NOFEAR_DEMO_PNG: png, XDG_RUNTIME_DIR: dir };
    delete env.DISPLAY;
    return env;
  };
  const runDemo = (png: string) => execa(process.execPath, [path.join(ROOT, 'dist', 'cli', 'demo.js')], { env: demoEnv(png), extendEnv: false, reject: false, timeout: 300_000 });

  it(`succeeds ${RUNS} times in a row (the last with every core busy): a rendered screenshot of the reported window, phases, the cached image reused, nothing left`, async function () {
    this.timeout(RUNS * 300_000);
    let imagePath = '';
    let mtime = 0;
    for (let run = 1; run <= RUNS; run++) {
      const png = path.join(dir, `demo-${run}.png`);
      const loops = run === RUNS ? busyLoops() : [];
      let result;
      try {
        result = await runDemo(png);
      } finally {
        stopLoops(loops);
      }
      const context = `run ${run}${loops.length > 0 ? ' (loaded)' : ''}:\n${result.stdout}\n${result.stderr}`;
      assert.equal(result.exitCode, 0, context);
      assert.ok(result.stdout.includes(`Screenshot of the forwarded window: ${png}`), context);
      assert.match(result.stdout, /^Window 0x[0-9a-f]+ is on a private display/m, context);
      for (const phase of ['guest image', 'boot', 'guest server', 'attached', 'window']) assert.match(result.stdout, new RegExp(`^  ${phase}\\s+[0-9.]+ s`, 'm'), context);
      assert.match(result.stdout, /Accelerator: (KVM|TCG)/);
      const colours = Number((await execa('identify', ['-format', '%k', png])).stdout);
      assert.ok(colours >= 16, `run ${run}: demo.png has only ${colours} colours: the page was not rendered`);
      await nothingLeft(dir, result.stdout);
      const image = /reusing the cached guest image (\S+)|built (\S+)/.exec(result.stdout);
      if (run === 1) {
        imagePath = image?.[1] ?? image?.[2] ?? '';
        assert.ok(existsSync(imagePath), 'the guest image path is printed');
        mtime = statSync(imagePath).mtimeMs;
      } else {
        assert.match(result.stdout, /reusing the cached guest image/, context);
        assert.equal(statSync(imagePath).mtimeMs, mtime, 'the cached image was rewritten');
      }
    }
  });

  it('ends within 2 s with a one-line reason when its nofear-open is killed while it waits, leaving nothing', async () => {
    const demo = execa(process.execPath, [path.join(ROOT, 'dist', 'cli', 'demo.js')], { env: demoEnv(path.join(dir, 'killed.png')), extendEnv: false, reject: false, timeout: 300_000 });
    await new Promise<void>((resolve, reject) => {
      demo.stdout?.on('data', (chunk: Buffer) => {
        if (/^ {2}booted /m.test(chunk.toString())) resolve();
      });
      void demo.then((result) => reject(new Error(`the demo ended before the VM booted:\n${result.stdout}\n${result.stderr}`)));
    });
    const child = await execa('pgrep', ['-P', String(demo.pid), '-f', 'nofear-open'], { reject: false });
    const pid = Number(child.stdout.trim().split('\n')[0]);
    assert.ok(pid > 0, 'no nofear-open child found');
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    const result = await demo;
    const tookMs = Date.now() - killedAt;
    assert.ok(tookMs <= 2000, `the demo took ${tookMs} ms to notice`);
    assert.equal(result.exitCode, 1, result.stderr);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `not one line:\n${result.stderr}`);
    assert.match(lines[0] ?? '', /^demo: nofear-open ended \(status 137\) after the VM booted, before .*Fix: /);
    await nothingLeft(dir, result.stdout);
  });
});
