// Office documents end to end with the host's real LibreOffice in real VMs: a .docx, an .xlsx and a .pptx
// (made by LibreOffice on the test's own input) each convert to a safe PDF with the right page count whose
// pixels match the same document rendered natively. (The forwarded LibreOffice window's test is on the
// branch issue-27-office-gui: it did not reach its window on the loaded build machine.)
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { leftoverSandboxes, makeTestEnv, runCli, type TestEnv } from '../helpers/cli.js';
import { makeOfficeDocument, nativePdf, type OfficeFormat } from '../helpers/office-docs.js';
import { renderPages, type Picture } from '../helpers/pdf-check.js';

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

describe('office documents (real LibreOffice, real QEMU)', function () {
  let t: TestEnv;
  let dir: string;
  before(() => {
    t = makeTestEnv();
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-office-'));
  });
  after(() => {
    t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => assert.deepEqual(leftoverSandboxes(t), [], 'a sandbox directory was left behind'));

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
