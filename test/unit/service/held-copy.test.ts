// The copy the service holds before it replies: it outlives the caller's file (a mail client deletes its
// temporary file right after the call), keeps the open's name, type and viewer, and goes when released.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { holdCopy } from '../../../src/service/daemon/held-copy.js';
import type { OpenPlan } from '../../../src/open/open-plan.js';
import { checkOpenable } from '../../../src/open/check.js';

/** An open of `file` as a PDF in mupdf, checked as the service checks it. */
async function pdfPlan(file: string, argv: string[]): Promise<OpenPlan> {
  const checked = await checkOpenable(file, 1024);
  const stagedName = path.basename(file);
  return { kind: 'file', file, source: checked.source, size: checked.size, checked, stagedName, mime: 'application/pdf', viewer: 'mupdf.desktop', viewerName: 'MuPDF', argv, notes: [] };
}

describe('held copies (the mail-client hand-over)', () => {
  let top: string;
  beforeEach(() => (top = mkdtempSync(path.join(tmpdir(), 'nofear-held-'))));
  afterEach(() => rmSync(top, { recursive: true, force: true }));

  it('reads the bytes from a copy that survives the original, and leaves nothing once released', async () => {
    const runtime = path.join(top, 'run');
    mkdirSync(runtime, { mode: 0o700 });
    const file = path.join(top, 'mozilla_u0', 'invoice.pdf');
    mkdirSync(path.dirname(file));
    writeFileSync(file, '%PDF-1.4 held');
    const plan = await pdfPlan(file, ['mupdf', '/staging/invoice.pdf']);
    const held = await holdCopy(plan, { XDG_RUNTIME_DIR: runtime, HOME: top }, 1024);
    rmSync(path.dirname(file), { recursive: true }); // the mail client cleans up
    assert.equal(readFileSync(held.plan.source, 'utf8'), '%PDF-1.4 held');
    assert.deepEqual([held.plan.file, held.plan.stagedName, held.plan.viewer, held.plan.argv], [file, 'invoice.pdf', 'mupdf.desktop', plan.argv]);
    assert.ok(held.plan.source.startsWith(path.join(runtime, 'nofear', 'held') + path.sep));
    await held.release();
    assert.ok(!existsSync(held.plan.source));
    assert.deepEqual(readdirSync(path.join(runtime, 'nofear')), [], 'the held directory goes with its last copy');
  });

  it('removes the copies a killed service held, at the next hold', async () => {
    const runtime = path.join(top, 'run');
    mkdirSync(runtime, { mode: 0o700 });
    const child = spawn('true');
    await new Promise((resolve) => child.once('exit', resolve));
    const orphan = path.join(runtime, 'nofear', 'held', `h-${child.pid}-abcdef`);
    mkdirSync(orphan, { recursive: true });
    writeFileSync(path.join(orphan, 'old.pdf'), '%PDF-1.4 from a service killed outright');
    const file = path.join(top, 'new.pdf');
    writeFileSync(file, '%PDF-1.4 new');
    const plan = await pdfPlan(file, []);
    const held = await holdCopy(plan, { XDG_RUNTIME_DIR: runtime, HOME: top }, 1024);
    assert.ok(!existsSync(orphan), "the dead service's held copy is gone");
    await held.release();
  });
});
