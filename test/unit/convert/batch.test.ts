// A --convert batch's pieces: which files a folder gives (and which it leaves out), how many run at once,
// the progress line and the one notification, and where --keep-originals=unsafe puts an original.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultConfig } from '../../../src/config/index.js';
import { batchProgressText, conversionBatchNotice, parallelConversions, runLimited } from '../../../src/convert/batch.js';
import { expandTargets, skippedByRule } from '../../../src/convert/convert-targets.js';
import { keptName, moveToUnsafe } from '../../../src/convert/keep-originals.js';
import { safeName } from '../../../src/convert/convert-plan.js';
import { failed, handled } from '../../../src/util/batch-outcome.js';
import { notFound } from '../../../src/errors.js';

describe('convert/batch', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'nofear-batch-unit-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('walks folders recursively, leaving out safe PDFs, unsafe/ folders, symlinks, its own temporary files and hidden entries', async () => {
    mkdirSync(path.join(dir, 'sub', 'unsafe'), { recursive: true });
    mkdirSync(path.join(dir, '.git'));
    for (const name of [
      'b.pdf',
      'a.png',
      'a.safe.pdf',
      'a (2).safe.pdf',
      'old.safe-2.pdf',
      '.x.safe.pdf.nofear-0123456789abcdef',
      'sub/c.odt',
      'sub/unsafe/d.pdf',
      '.DS_Store',
      '.git/config',
      '.hidden.pdf',
    ])
      writeFileSync(path.join(dir, name), '');
    symlinkSync(path.join(dir, 'b.pdf'), path.join(dir, 'sub', 'link.pdf'));
    const single = path.join(dir, 'sub', 'link.pdf');
    const { files, skipped } = await expandTargets([dir, single, path.join(dir, '.hidden.pdf')]);
    assert.deepEqual(
      files.map((f) => path.relative(dir, f)),
      ['a.png', 'b.pdf', 'sub/c.odt', 'sub/link.pdf', '.hidden.pdf'],
      'a symlink named on the command line is planned (and checked) like any file',
    );
    assert.deepEqual(skipped.map((s) => `${path.relative(dir, s.path)}: ${s.why}`).sort(), [
      '.DS_Store: hidden (its name starts with a dot; name the file itself to convert it)',
      '.git: hidden (its name starts with a dot; name the folder itself to convert it)',
      '.hidden.pdf: hidden (its name starts with a dot; name the file itself to convert it)',
      ".x.safe.pdf.nofear-0123456789abcdef: NoFear's temporary file",
      'a (2).safe.pdf: a safe PDF',
      'a.safe.pdf: a safe PDF',
      'old.safe-2.pdf: a safe PDF',
      'sub/link.pdf: a symlink',
      'sub/unsafe: an unsafe/ folder of kept originals',
    ]);
    assert.equal(skippedByRule('unsafe', 'file'), undefined, 'a file named unsafe is no folder');
  });

  it('runs at most max_sandboxes at once, and no more conversion VMs (512 MiB each) than max_guest_memory holds', async () => {
    const config = defaultConfig();
    config.service.maxSandboxes = 3;
    assert.equal(parallelConversions(config), 3);
    config.service.maxGuestMemoryMiB = 1200;
    assert.equal(parallelConversions(config), 2);
    config.service.maxGuestMemoryMiB = 512;
    assert.equal(parallelConversions(config), 1);
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await runLimited([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      done.push(item);
    });
    assert.equal(most, 3);
    assert.deepEqual(done.sort(), [1, 2, 3, 4, 5, 6, 7]);
    const started: number[] = [];
    await runLimited(
      [1, 2, 3],
      1,
      async (item) => void started.push(item),
      () => started.length >= 2,
    );
    assert.deepEqual(started, [1, 2], 'stopped: no new one starts');
  });

  it('says the batch in one line and one notification', () => {
    assert.equal(batchProgressText({ total: 8, done: 3, failed: 1, running: 2, pages: 12 }), 'converting 8 files: 3 done, 1 failed, 2 running (12 pages so far)');
    const outcomes = [handled('/a/x.pdf'), handled('/a/y.pdf'), failed('/a/z.bin', notFound('NoFear cannot convert z.bin.', 'open it instead'))];
    const notice = conversionBatchNotice(outcomes, 5, ['/o/x.safe.pdf', '/o/y.safe.pdf']);
    assert.equal(notice.summary, 'NoFear converted 2 of 3 files (5 pages); 1 failed');
    assert.equal(notice.body, 'Safe PDFs made from their pixels: 2 done, 1 failed, 5 pages.\n• z.bin: NoFear cannot convert z.bin. Fix: open it instead');
    assert.equal(conversionBatchNotice([handled('/a/x.pdf')], 1, ['/o/x.safe.pdf']).summary, 'x.safe.pdf is ready');
    const none = conversionBatchNotice([failed('/a/a.zip', notFound('NoFear cannot convert a.zip.', 'open it instead'))], 0, []);
    assert.deepEqual(none, { summary: 'NoFear could not convert a.zip', body: '• a.zip: NoFear cannot convert a.zip. Fix: open it instead' }, "nothing converted: the batch's own words");
  });

  it('names a clash " (2)", in --output and in unsafe/', async () => {
    assert.deepEqual([1, 2, 3].map(safeName('report.pdf')), ['report.safe.pdf', 'report (2).safe.pdf', 'report (3).safe.pdf']);
    assert.equal(keptName('report.final.pdf', 2), 'report.final (2).pdf');
    mkdirSync(path.join(dir, 'unsafe'));
    writeFileSync(path.join(dir, 'unsafe', 'r.pdf'), 'earlier');
    writeFileSync(path.join(dir, 'r.pdf'), 'now');
    assert.equal(await moveToUnsafe(path.join(dir, 'r.pdf')), path.join(dir, 'unsafe', 'r (2).pdf'));
    assert.deepEqual(readdirSync(dir), ['unsafe']);
    assert.deepEqual(readdirSync(path.join(dir, 'unsafe')).sort(), ['r (2).pdf', 'r.pdf']);
  });
});
