// Office documents end to end with the host's real LibreOffice in real VMs: a .docx (made by LibreOffice on
// the test's own input) opens to a forwarded LibreOffice window whose title names it (the suite's only
// LibreOffice window: its cold start is slow under TCG), and a .docx, an .xlsx and a .pptx each convert to a
// safe PDF with the right page count whose pixels match the same document rendered natively.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { leftoverSandboxes, makeTestEnv, runCli, startCli, type TestEnv } from '../helpers/cli.js';
import { reportedWindow, suiteDisplay, windowName, type Display } from '../helpers/xvfb.js';
import { makeOfficeDocument, nativePdf, type OfficeFormat } from '../helpers/office-docs.js';
import { renderPages, type Picture } from '../helpers/pdf-check.js';

/** LibreOffice's cold start in a fresh guest, under TCG on a loaded machine. */
const WINDOW_DEADLINE = 280_000;
/**
 * Root-mean-square difference of the two renderings at 75 dpi, over 8 x 8-pixel cells (2.7 mm) and every
 * channel, as a fraction of 255: the safe PDF is the guest's rendering at 150 dpi, so single text edges differ
 * (per pixel, the same page scored 0.012-0.021 and another page 0.014-0.023: no measure); over cells the same
 * page scored 0.003-0.0071 here (large print has more edges) and other pages of these large-print documents
 * more than the threshold (checked below, so that the measure can fail).
 */
const MAX_RMSE = 0.012;
const CELL = 8;

function cellMeans(picture: Picture, columns: number, rows: number): Float64Array {
  const means = new Float64Array(columns * rows * 3);
  for (let y = 0; y < rows * CELL; y++) {
    for (let x = 0; x < columns * CELL; x++) {
      for (let channel = 0; channel < 3; channel++) {
        means[(Math.floor(y / CELL) * columns + Math.floor(x / CELL)) * 3 + channel]! += (picture.rgb[(y * picture.width + x) * 3 + channel] ?? 0) / (CELL * CELL);
      }
    }
  }
  return means;
}

function rmse(a: Picture, b: Picture): number {
  const columns = Math.floor(Math.min(a.width, b.width) / CELL);
  const rows = Math.floor(Math.min(a.height, b.height) / CELL);
  const [left, right] = [cellMeans(a, columns, rows), cellMeans(b, columns, rows)];
  let sum = 0;
  left.forEach((value, index) => (sum += (value - right[index]!) ** 2));
  return Math.sqrt(sum / left.length) / 255;
}

async function pageCount(file: string): Promise<number> {
  return Number(/^Pages:\s+(\d+)$/m.exec((await execa('pdfinfo', [file])).stdout)?.[1]);
}

/** A visible window whose title matches (xdotool's regex), waited for until the deadline or until `producer` ends. */
async function titledWindow(display: string, title: string, producer: Promise<unknown>, deadlineMs: number): Promise<string> {
  const gone = new AbortController();
  void producer.finally(() => gone.abort());
  const search = await execa('xdotool', ['search', '--sync', '--onlyvisible', '--name', title], { env: { DISPLAY: display }, timeout: deadlineMs, cancelSignal: gone.signal, reject: false });
  const id = search.stdout.trim().split('\n')[0] ?? '';
  if (id === '') throw new Error(`no window titled ${title}: ${search.timedOut ? `none within ${deadlineMs / 1000} s` : 'nofear-open ended first'}`);
  return id;
}

/** Live processes whose command line names `dir` (QEMU's and Xpra's sockets and exports are below it). */
function processesNaming(dir: string): string[] {
  const named: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes(dir)) named.push(`${pid}: ${cmdline.split('\0').join(' ').slice(0, 200)}`);
    } catch {
      // gone meanwhile
    }
  }
  return named;
}

describe('office documents (real LibreOffice, real QEMU, Xvfb)', function () {
  let t: TestEnv;
  let x: Display;
  let dir: string;
  suiteDisplay((display) => (x = display));
  before(() => {
    t = makeTestEnv();
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-office-'));
  });
  after(() => {
    t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => assert.deepEqual(leftoverSandboxes(t), [], 'a sandbox directory was left behind'));

  it('a .docx opens in LibreOffice Writer in the VM: a forwarded window whose title names it', async () => {
    const { file } = await makeOfficeDocument(dir, 'docx');
    const run = startCli('nofear-open', ['--no-service', '--wait', '--verbose', file], t, { env: { DISPLAY: x.display } });
    try {
      const reported = await reportedWindow(run, WINDOW_DEADLINE);
      assert.match(await windowName(x.display, reported), /^\[NoFear:[^\]]*\] /, 'the forwarded window carries the mark');
      // LibreOffice maps its window first and names it after: wait for the name (or for nofear-open's end).
      await titledWindow(x.display, '^\\[NoFear:[^]]*\\] .*letter\\.docx.*LibreOffice', run, WINDOW_DEADLINE);
      // Ended as a user closing NoFear ends it (a synthetic ctrl+q did not always reach LibreOffice): nofear-open
      // stops its VM and exits as stopped, leaving no QEMU, socket or staging copy (the sandbox dir holds both).
      assert.ok(
        processesNaming(t.runtimeBase).some((line) => /qemu-system/.test(line)),
        'the check below sees the running QEMU',
      );
      run.kill('SIGTERM');
      const result = await run;
      assert.equal(result.exitCode, 143, Buffer.from(result.stderr).toString());
      assert.deepEqual(processesNaming(t.runtimeBase), [], 'a process of the sandbox (QEMU, Xpra) outlived nofear-open');
    } finally {
      run.kill('SIGTERM'); // ends its VM; a no-op once it has exited
      await run;
    }
  });

  for (const format of ['docx', 'xlsx', 'pptx'] as const satisfies readonly OfficeFormat[]) {
    it(`a .${format} converts to a safe PDF with its page count, each page matching LibreOffice's native rendering`, async () => {
      const work = mkdtempSync(path.join(dir, `${format}-`));
      const { file, pages } = await makeOfficeDocument(work, format);
      const native = await nativePdf(work, file);
      assert.equal(await pageCount(native), pages, 'the native rendering has the pages the source was written with');
      const result = await runCli('nofear-open', ['--convert', file], t);
      assert.equal(result.exitCode, 0, result.stderr);
      const safe = result.stdout.toString().trim();
      assert.equal(await pageCount(safe), pages);
      const [before, after] = [await renderPages(native, 75, work, 'native'), await renderPages(safe, 75, work, 'safe')];
      assert.equal(after.length, pages);
      before.forEach((page, index) => {
        const difference = rmse(page, after[index]!);
        assert.ok(difference < MAX_RMSE, `page ${index + 1} of ${format}: RMSE ${difference.toFixed(4)} is not below ${MAX_RMSE}`);
      });
      const other = rmse(before[0]!, after[1]!);
      assert.ok(other >= MAX_RMSE, `the measure cannot tell page 1 from page 2 (RMSE ${other.toFixed(4)})`);
    });
  }
});
