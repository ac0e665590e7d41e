// make demo's path without a display: a private Xvfb, demo.png of the forwarded window, nothing left.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { ROOT } from '../helpers/cli.js';

describe('make demo, headless (real QEMU, Xvfb, mupdf)', function () {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-demo-test-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const runDemo = (png: string) => {
    const env: Record<string, string | undefined> = { ...process.env, NOFEAR_DEMO_PNG: png, XDG_RUNTIME_DIR: dir };
    delete env.DISPLAY;
    return execa(process.execPath, [path.join(ROOT, 'dist', 'cli', 'demo.js')], { env, extendEnv: false, reject: false, timeout: 300_000 });
  };

  it('saves a rendered screenshot, says where, times each phase, reuses the cached image and leaves nothing running', async () => {
    const png = path.join(dir, 'demo.png');
    const first = await runDemo(png);
    assert.equal(first.exitCode, 0, `${first.stdout}\n${first.stderr}`);
    assert.ok(existsSync(png));
    assert.ok(first.stdout.includes(`Screenshot of the forwarded window: ${png}`));
    for (const phase of ['guest image', 'boot', 'viewer ready', 'window']) assert.match(first.stdout, new RegExp(`^  ${phase}\\s+[0-9.]+ s`, 'm'));
    assert.match(first.stdout, /Accelerator: (KVM|TCG)/);
    const colours = Number((await execa('identify', ['-format', '%k', png])).stdout);
    assert.ok(colours >= 16, `demo.png has only ${colours} colours: the page was not rendered`);
    const left = await execa('pgrep', ['-af', 'qemu-system|Xvfb -displayfd 3 -screen 0 1280x900x24|attach socket://'], { reject: false });
    assert.equal(left.stdout.trim(), '', `left running: ${left.stdout}`);

    const image = /reusing the cached guest image (\S+)|built (\S+)/.exec(first.stdout);
    const imagePath = image?.[1] ?? image?.[2] ?? '';
    assert.ok(existsSync(imagePath), 'the guest image path is printed');
    const mtime = statSync(imagePath).mtimeMs;
    const second = await runDemo(png);
    assert.equal(second.exitCode, 0, second.stderr);
    assert.match(second.stdout, /reusing the cached guest image/);
    assert.equal(statSync(imagePath).mtimeMs, mtime, 'the cached image was rewritten');
  });
});
