// The OCR's host side (src/convert/ocr.ts): the pages' PNGs copied into the OCR VM's export read-only and
// counted for its budget, the guest's words read page by page, and "done" sent once the words are complete.
// Real PNG files in a temporary directory; the VM is a stand-in ready VM (a real one boots QEMU: the
// convert integration suite runs the OCR VM): its export is a real directory, its ports PassThroughs, and
// its "guest" answers the job with a TSV as ocr.sh would.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { defaultConfig } from '../../../src/config/index.js';
import { ConversionError } from '../../../src/convert/errors.js';
import { recognise, type OcrJob } from '../../../src/convert/ocr.js';
import { OCR_END } from '../../../src/convert/ocr-words.js';
import { ocrPageName } from '../../../src/convert/pixel-pump.js';
import type { ReadyVm } from '../../../src/convert/ready-vm.js';
import type { JobSpec } from '../../../src/sandbox/sandbox-options.js';
import type { Sandbox, SandboxOutcome } from '../../../src/sandbox/sandbox.js';

const HEADER = 'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext';
const word = (page: number, left: number, text: string) => [5, page, 1, 1, 1, 1, left, 2, 30, 10, '96', text].join('\t');

/** A ready VM whose guest, once given its job, writes `answer` to stdout and ends when the host says "done" (or at once with `endEarly`). */
function standInVm(exportDir: string, answer: string, endEarly = false) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let end: (outcome: SandboxOutcome) => void = () => {};
  const outcome = new Promise<SandboxOutcome>((resolve) => (end = resolve));
  const seen = { jobs: [] as JobSpec[], exported: [] as Array<{ name: string; mode: number; bytes: string }>, stdin: '', stopped: 0, released: 0 };
  stdin.on('data', (chunk: Buffer) => {
    seen.stdin += chunk.toString();
    if (seen.stdin.endsWith('done\n')) {
      stdout.end();
      end({ kind: 'exited', status: 0, stdoutBytes: 0, stderrBytes: 0 });
    }
  });
  const sandbox = {
    id: 'ocr00001',
    layout: { exportDir },
    ports: { stdin, stdout, stderr },
    outcome,
    run: async (job: JobSpec) => {
      seen.jobs.push(job);
      for (const name of readdirSync(exportDir).sort()) {
        const file = path.join(exportDir, name);
        seen.exported.push({ name, mode: statSync(file).mode & 0o777, bytes: readFileSync(file, 'latin1') });
      }
      stdout.write(answer);
      if (!endEarly) return;
      stdout.end();
      end({ kind: 'exited', status: 0, stdoutBytes: 0, stderrBytes: 0 });
    },
    stop: async () => {
      seen.stopped++;
      stdout.end();
      end({ kind: 'stopped' });
    },
    discard: async () => sandbox.stop(),
    dispose: async () => {},
  };
  // Only what the job's runner uses of a Sandbox: its export, ports, job, outcome and end.
  const ready: ReadyVm = { sandbox: sandbox as unknown as Sandbox, release: () => void seen.released++ };
  return { ready, seen };
}

describe('convert/ocr: the pages to the OCR VM, its words back (a stand-in ready VM)', () => {
  let dir: string;
  let pngDir: string;
  let exportDir: string;
  const pages = [
    { width: 100, height: 50 },
    { width: 80, height: 40 },
  ];

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-ocr-'));
    pngDir = path.join(dir, 'pngs');
    exportDir = path.join(dir, 'export');
    mkdirSync(pngDir);
    mkdirSync(exportDir);
    // Not real images: the host only copies them (the guest's tesseract reads them).
    writeFileSync(path.join(pngDir, ocrPageName(0)), 'first page pixels');
    writeFileSync(path.join(pngDir, ocrPageName(1)), 'second page, longer pixels');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function job(takeReady: (bytes: number) => ReadyVm | undefined): OcrJob {
    return { config: defaultConfig(), env: { XDG_RUNTIME_DIR: dir }, ownerKind: 'cli', file: 'a.pdf', takeReady };
  }

  it('copies each page read-only into the export, counts their bytes, sends the languages, and says "done" once the words are complete', async () => {
    const answer = [HEADER, word(1, 1, 'Hello'), word(2, 5, 'world'), OCR_END, ''].join('\n');
    const vm = standInVm(exportDir, answer);
    const asked: number[] = [];
    const heard: number[] = [];
    const words = await recognise(
      pages,
      pngDir,
      'deu+eng',
      job((bytes) => (asked.push(bytes), vm.ready)),
      (page) => heard.push(page),
    );
    assert.deepEqual(asked, ['first page pixels'.length + 'second page, longer pixels'.length]);
    assert.deepEqual(vm.seen.exported, [
      { name: 'page-00001.png', mode: 0o444, bytes: 'first page pixels' },
      { name: 'page-00002.png', mode: 0o444, bytes: 'second page, longer pixels' },
    ]);
    assert.deepEqual(vm.seen.jobs[0]?.argv, ['/.bb/busybox', 'sh', '/.nofear/ocr.sh', 'deu+eng']);
    assert.equal(vm.seen.stdin, 'done\n', 'one "done", after the end marker');
    assert.deepEqual(heard, [1, 2]);
    assert.deepEqual(
      words.map((page) => page.map((w) => w.text)),
      [['Hello'], ['world']],
    );
    assert.equal(vm.seen.released, 1);
  });

  it('says nothing to the guest before its words are complete, and refuses words that end without the end marker', async () => {
    // The guest ends after one word, without its end marker: the stream's own rule names what is missing.
    const vm = standInVm(exportDir, [HEADER, word(1, 1, 'Hello'), ''].join('\n'), true);
    await assert.rejects(
      recognise(
        pages,
        pngDir,
        'eng',
        job(() => vm.ready),
        () => {},
      ),
      /the OCR in the VM ended before its last page/,
    );
    assert.equal(vm.seen.stdin, '');
  });

  it('a stop before its job ran (the VM still starting) is "Stopped", not a failed VM: the VM discarded, its slot given back', async () => {
    const vm = standInVm(exportDir, '');
    const stopped = new AbortController();
    stopped.abort(); // the caller's Stop came while the job's VM was being got ready
    await assert.rejects(
      recognise(pages, pngDir, 'eng', { ...job(() => vm.ready), abort: stopped.signal }, () => {}),
      (error: unknown) => error instanceof ConversionError && error.failure === 'Stopped' && /the OCR for a\.pdf was stopped/.test(error.message),
    );
    assert.deepEqual(vm.seen.jobs, [], 'no job sent');
    assert.equal(vm.seen.stopped, 1, 'the VM discarded');
    assert.equal(vm.seen.released, 1);
  });

  it('takes no VM when a page is missing', async () => {
    rmSync(path.join(pngDir, ocrPageName(1)));
    let taken = 0;
    await assert.rejects(
      recognise(
        pages,
        pngDir,
        'eng',
        job(() => (taken++, undefined)),
        () => {},
      ),
      (error: NodeJS.ErrnoException) => error.code === 'ENOENT',
    );
    assert.equal(taken, 0);
  });
});
