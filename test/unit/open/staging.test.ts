// stageCopy on real files: a copy with the mode asked (read-only, or private and writable for --edit), every
// chunk seen; and nothing copied when what is there now is not what was checked (another file, a symlink,
// a FIFO, a directory swapped on its path) or it grew past the limit.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NoFearError } from '../../../src/errors.js';
import { stageCopy, type CheckedFile } from '../../../src/open/staging.js';

/** As checkOpenable leaves it: the canonical path, size and identity now. */
function checked(source: string): CheckedFile {
  const stat = statSync(source, { bigint: true });
  return { source, size: Number(stat.size), dev: stat.dev, ino: stat.ino };
}

describe('open/staging stageCopy', () => {
  let dir: string;
  let exportDir: string;
  let source: string;
  const refused = (promise: Promise<unknown>, code: string, message: RegExp) =>
    assert.rejects(promise, (error: unknown) => error instanceof NoFearError && error.code === code && message.test(error.message));

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-staging-'));
    exportDir = path.join(dir, 'export');
    mkdirSync(exportDir);
    mkdirSync(path.join(dir, 'docs'));
    source = path.join(dir, 'docs', 'report.pdf');
    writeFileSync(source, 'the checked bytes');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('copies the checked file read-only by default, private and writable for --edit, each chunk seen', async () => {
    const target = await stageCopy(checked(source), exportDir, 'report.pdf', 1024);
    assert.equal(target, path.join(exportDir, 'report.pdf'));
    assert.equal(readFileSync(target, 'utf8'), 'the checked bytes');
    assert.equal(statSync(target).mode & 0o777, 0o444);
    assert.notEqual(statSync(target).ino, statSync(source).ino, 'a copy, never a link');
    const seen: Buffer[] = [];
    const editable = await stageCopy(checked(source), exportDir, 'edit.pdf', 1024, { writable: true, onChunk: (chunk) => seen.push(chunk) });
    assert.equal(statSync(editable).mode & 0o777, 0o600);
    assert.equal(Buffer.concat(seen).toString(), 'the checked bytes');
  });

  it('copies nothing when another file took the checked one’s place', async () => {
    const before = checked(source);
    renameSync(source, path.join(dir, 'old.pdf')); // kept, so its inode number cannot be reused at once
    writeFileSync(source, 'swapped in');
    await refused(stageCopy(before, exportDir, 'report.pdf', 1024), 'InvalidArgument', /changed while it was being opened \(another file is there now\); nothing was copied\.$/);
    assert.deepEqual(readdirSync(exportDir), []);
  });

  it('copies nothing through a symlink or a FIFO put in its place, and never hangs on the FIFO', async () => {
    const before = checked(source);
    renameSync(source, path.join(dir, 'elsewhere.pdf'));
    symlinkSync(path.join(dir, 'elsewhere.pdf'), source);
    await refused(stageCopy(before, exportDir, 'report.pdf', 1024), 'InvalidArgument', /changed while it was being opened \(ELOOP\)/);
    rmSync(source);
    execFileSync('mkfifo', [source]);
    await refused(stageCopy(before, exportDir, 'report.pdf', 1024), 'InvalidArgument', /is no longer a regular file\.$/);
    assert.deepEqual(readdirSync(exportDir), []);
  });

  it('copies nothing when a directory on its path now leads elsewhere, even to the same file', async () => {
    const before = checked(source);
    renameSync(path.join(dir, 'docs'), path.join(dir, 'moved'));
    symlinkSync(path.join(dir, 'moved'), path.join(dir, 'docs'));
    await refused(stageCopy(before, exportDir, 'report.pdf', 1024), 'InvalidArgument', /a directory on its path was replaced: it leads to .*moved\/report\.pdf\); nothing was copied\.$/);
    assert.deepEqual(readdirSync(exportDir), []);
  });

  it('stops at the limit when the file grew since the check, leaving no partial copy', async () => {
    const before = checked(source);
    writeFileSync(source, 'x'.repeat(4096));
    await refused(stageCopy(before, exportDir, 'report.pdf', 1024), 'LimitReached', /grew past the 1024-byte limit while it was being copied\.$/);
    assert.equal(existsSync(path.join(exportDir, 'report.pdf')), false);
  });
});
