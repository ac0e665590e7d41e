// nofear-open end to end: real Debian viewers (mupdf, ImageMagick's display) in real VMs, on Xvfb.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { leftoverSandboxes, ROOT, runCli, startCli, type TestEnv, perTestEnv } from '../helpers/cli.js';
import { pressKey, renderedScreenshot, reportedWindow, suiteDisplay, windowName, type Display } from '../helpers/xvfb.js';
import { samplePdf } from '../../src/demo/sample-pdf.js';

const WINDOW_DEADLINE = 180_000;
const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('nofear-open (real viewers, real QEMU, Xvfb)', function () {
  let t: TestEnv;
  let x: Display;
  let dir: string;
  suiteDisplay((display) => (x = display));
  perTestEnv('nofear-open-', (env, tmp) => {
    t = env;
    dir = tmp;
  });

  async function openAndClose(file: string, title: RegExp, closeKey: string): Promise<void> {
    const before = { hash: digest(file), mtime: statSync(file).mtimeMs };
    const run = startCli('nofear-open', ['--no-service', '--wait', '--verbose', file], t, { env: { DISPLAY: x.display } });
    const window = await reportedWindow(run, WINDOW_DEADLINE);
    assert.match(await windowName(x.display, window), title);
    const [id] = leftoverSandboxes(t);
    assert.ok(id);
    const shot = await renderedScreenshot(x.display, window, path.join(dir, 'window.png'));
    assert.ok(shot.colours > 1, 'the window is blank');
    await pressKey(x.display, window, closeKey);
    const result = await run;
    assert.equal(result.exitCode, 0, Buffer.from(result.stderr).toString());
    assert.deepEqual(leftoverSandboxes(t), [], 'the staging directory was left behind');
    const qemu = await execa('pgrep', ['-f', `nofear-${id}`], { reject: false });
    assert.equal(qemu.stdout.trim(), '', 'QEMU is still running');
    assert.deepEqual({ hash: digest(file), mtime: statSync(file).mtimeMs }, before, 'the original changed');
  }

  it('opens a PDF in the PDF viewer with its name in the title, and cleans up when it closes', async () => {
    const file = path.join(dir, 'report.pdf');
    writeFileSync(file, samplePdf());
    await openAndClose(file, /^\[NoFear:temporary\] report\.pdf/, 'q');
  });

  it('opens a file whose name has spaces, quotes, a newline and shell syntax', async () => {
    const file = path.join(dir, `it's "odd"\n; rm -rf ~ #.pdf`);
    writeFileSync(file, samplePdf());
    await openAndClose(file, /^\[NoFear:temporary\] .*odd/, 'q');
  });

  it('reports the window when the display maps it (within 0.5 s of an outside observer), and that window stays', async () => {
    const file = path.join(dir, 'watched.pdf');
    writeFileSync(file, samplePdf());
    const observer = spawn('/usr/bin/python3', [path.join(ROOT, 'test', 'fixtures', 'map-watcher.py'), x.display], { stdio: ['ignore', 'pipe', 'inherit'] });
    const maps = new Map<number, number>();
    const observed = new Promise<void>((resolve) => {
      createInterface({ input: observer.stdout }).on('line', (line) => {
        const record = JSON.parse(line) as { ready?: boolean; event?: string; xid?: number; ms?: number };
        if (record.ready) resolve();
        if (record.event === 'map' && record.xid !== undefined && record.ms !== undefined && !maps.has(record.xid)) maps.set(record.xid, record.ms);
      });
    });
    try {
      await observed;
      const run = startCli('nofear-open', ['--no-service', '--wait', '--verbose', file], t, { env: { DISPLAY: x.display } });
      const reported = Number(await reportedWindow(run, WINDOW_DEADLINE));
      const reportedAt = Date.now();
      // The observer's line may come a moment after NoFear's (its own time stamp is what counts).
      const deadline = Date.now() + 5000;
      while (!maps.has(reported) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      const mappedAt = maps.get(reported);
      assert.ok(mappedAt !== undefined, `the observer saw no map of the reported window ${reported}`);
      assert.ok(Math.abs(reportedAt - mappedAt) <= 500, `reported ${reportedAt - mappedAt} ms after the display mapped it`);
      // The same window, still there 5 s later: never replaced by another.
      await new Promise((resolve) => setTimeout(resolve, 5000));
      const visible = (await execa('xdotool', ['search', '--onlyvisible', '--name', '^\\[NoFear:temporary\\] watched\\.pdf'], { env: { DISPLAY: x.display }, reject: false })).stdout
        .trim()
        .split('\n');
      assert.deepEqual(visible, [String(reported)], 'the window on screen 5 s later is the one NoFear reported');
      await pressKey(x.display, String(reported), 'q');
      assert.equal((await run).exitCode, 0);
    } finally {
      observer.kill();
    }
  });

  it('opens an image in the image viewer', async () => {
    const file = path.join(dir, 'picture.png');
    await execa('convert', ['-size', '240x160', 'gradient:orange-blue', file]);
    await openAndClose(file, /^\[NoFear:temporary\] .*picture\.png/, 'q');
  });
});

describe('nofear-open choices and refusals (no VM)', () => {
  let t: TestEnv;
  let dir: string;
  perTestEnv('nofear-open-', (env, scratch) => ([t, dir] = [env, scratch]), { leftovers: 'allowed' });

  it('prints the type, the viewer and the guest argv with --dry-run; content wins over the name', async () => {
    const pdf = path.join(dir, 'a.pdf');
    writeFileSync(pdf, samplePdf());
    const disguised = path.join(dir, 'photo.pdf');
    await execa('convert', ['-size', '10x10', 'xc:red', `png:${disguised}`]);
    const result = await runCli('nofear-open', ['--dry-run', '--verbose', pdf, disguised], t);
    assert.equal(result.exitCode, 0, result.stderr);
    const [first, second] = result.stdout.toString().trim().split('\n\n');
    assert.equal(
      first,
      [`file: ${pdf}`, 'mime: application/pdf', 'mode: open a read-only copy in a throwaway VM without network', 'viewer: mupdf.desktop', 'argv: ["mupdf","/staging/a.pdf"]', 'sound: off'].join('\n'),
    );
    assert.match(second ?? '', /^mime: image\/png$/m);
    assert.match(result.stderr, /photo\.pdf: type image\/png \(from content\)/);
  });

  it('says the mode with --dry-run: --edit a writable copy, --convert --ocr the tools and the language', async () => {
    const pdf = path.join(dir, 'a.pdf');
    writeFileSync(pdf, samplePdf());
    const edit = await runCli('nofear-open', ['--dry-run', '--edit', '--save-back=never', pdf], t);
    assert.equal(edit.exitCode, 0, edit.stderr.toString());
    assert.match(edit.stdout.toString(), /^mode: edit a writable copy in a throwaway VM; when the program ends and the copy changed: save back never$/m);
    const convert = await runCli('nofear-open', ['--dry-run', '--convert', '--ocr', pdf], t);
    assert.equal(convert.exitCode, 0, convert.stderr.toString());
    assert.match(convert.stdout.toString(), /^mode: convert to a safe PDF of the pixels, rendered in a throwaway VM without network; OCR text layer by tesseract in a second VM$/m);
    assert.match(convert.stdout.toString(), /^ocr: tesseract, .+$/m);
  });

  it('refuses what it cannot open, with a named reason and exit 125', async () => {
    const fifo = path.join(dir, 'pipe');
    await execa('mkfifo', [fifo]);
    const big = path.join(dir, 'big.pdf');
    writeFileSync(big, Buffer.alloc(4096));
    // Random bytes are application/octet-stream, which nothing opens (an HTML page would find a browser
    // wherever one is installed, as the links tests' NetSurf is).
    const data = path.join(dir, 'data.bin');
    writeFileSync(data, Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919 + 13) % 251)));
    const config = path.join(dir, 'config');
    mkdirSync(path.join(config, 'nofear'), { recursive: true });
    writeFileSync(path.join(config, 'nofear', 'config.ini'), '[open]\nmax_file_size = 1K\n');
    const cases: [string[], RegExp][] = [
      [[path.join(dir, 'missing.pdf')], /does not exist/],
      [[dir], /is a directory/],
      [[fifo], /not a regular file/],
      [['relative.pdf'], /does not exist|not an absolute path/],
      [[big], /over the 1024-byte limit/],
      [[data], /No viewer for application\/octet-stream can run in the VM.*Fix: install a graphical application/],
      [['ftp://example.org/x'], /not ftp:\/\/ URIs/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli('nofear-open', ['--dry-run', ...args], t, { env: { XDG_CONFIG_HOME: config } });
      assert.equal(result.exitCode, 125, args.join(' '));
      assert.match(result.stderr, message);
    }
    if (process.getuid?.() !== 0) {
      const secret = path.join(dir, 'secret.pdf');
      writeFileSync(secret, samplePdf());
      chmodSync(secret, 0);
      const result = await runCli('nofear-open', ['--dry-run', secret], t);
      assert.equal(result.exitCode, 125);
      assert.match(result.stderr, /permission denied/);
    }
    assert.deepEqual(leftoverSandboxes(t), []);
  });
});
