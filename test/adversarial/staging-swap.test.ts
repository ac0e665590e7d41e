// Issue 17, staging: what is copied is what was checked. A directory on the file's path swapped for a
// symlink between the check and the copy redirects nothing, not even to a hard link of the same file.
import assert from 'node:assert/strict';
import { linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkOpenable } from '../../src/open/check.js';
import { stageCopy } from '../../src/open/staging.js';
import { NoFearError } from '../../src/errors.js';

const changed = (error: unknown) => error instanceof NoFearError && error.code === 'InvalidArgument' && /changed while it was being opened/.test(error.message);

describe('staging (issue 17)', function () {
  let dir: string;
  let exportDir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-staging-'));
    exportDir = path.join(dir, 'export');
    mkdirSync(exportDir);
    mkdirSync(path.join(dir, 'docs'));
    mkdirSync(path.join(dir, 'elsewhere'));
    writeFileSync(path.join(dir, 'docs', 'report.pdf'), 'the document that was checked\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Checks docs/report.pdf, then puts a symlink to elsewhere/ in place of docs/ before the copy. */
  async function swapParentAfterCheck(): Promise<Awaited<ReturnType<typeof checkOpenable>>> {
    const checked = await checkOpenable(path.join(dir, 'docs', 'report.pdf'), 1 << 20);
    renameSync(path.join(dir, 'docs'), path.join(dir, 'docs.orig'));
    symlinkSync(path.join(dir, 'elsewhere'), path.join(dir, 'docs'));
    return checked;
  }

  it('refuses when a parent directory was swapped for a symlink to another file of that name', async () => {
    writeFileSync(path.join(dir, 'elsewhere', 'report.pdf'), 'a secret the swap points at\n');
    const checked = await swapParentAfterCheck();
    await assert.rejects(stageCopy(checked, exportDir, 'report.pdf', 1 << 20), changed);
    assert.deepEqual(readdirSync(exportDir), []);
  });

  it('refuses even when the swap leads to the same file by a hard link (the path opened is not the path checked)', async () => {
    linkSync(path.join(dir, 'docs', 'report.pdf'), path.join(dir, 'elsewhere', 'report.pdf'));
    const checked = await swapParentAfterCheck();
    await assert.rejects(stageCopy(checked, exportDir, 'report.pdf', 1 << 20), changed);
    assert.deepEqual(readdirSync(exportDir), []);
  });

  it('copies a file reached through symlinks that were there when it was checked, byte for byte', async () => {
    symlinkSync(path.join(dir, 'docs'), path.join(dir, 'link-to-docs'));
    const checked = await checkOpenable(path.join(dir, 'link-to-docs', 'report.pdf'), 1 << 20);
    assert.equal(checked.source, path.join(dir, 'docs', 'report.pdf'));
    const staged = await stageCopy(checked, exportDir, 'report.pdf', 1 << 20);
    assert.equal(readFileSync(staged, 'utf8'), 'the document that was checked\n');
  });
});
