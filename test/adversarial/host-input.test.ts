// Hostile input on the host side: odd bytes in arguments, system paths, files that change under us.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, renameSync, symlinkSync, writeFileSync, unlinkSync, readdirSync } from 'node:fs';

import path from 'node:path';
import { execa } from 'execa';
import { bin, runCli, type TestEnv, perTestEnv } from '../helpers/cli.js';
import { checkOpenable } from '../../src/open/check.js';
import { stageCopy } from '../../src/open/staging.js';
import { NoFearError } from '../../src/errors.js';

const isCode = (code: string) => (error: unknown) => error instanceof NoFearError && error.code === code;

describe('hostile host input', function () {
  let t: TestEnv;
  let dir: string;
  perTestEnv('nofear-input-', (env, scratch) => ([t, dir] = [env, scratch]));

  it('answers an invalid-UTF-8 file name and ten thousand arguments with a named error, not a crash', async () => {
    // argv cannot carry NUL; invalid UTF-8 can, through a shell.
    const odd = await execa('bash', ['-c', `exec "$0" "$1" --dry-run "$(printf '${dir}/\\xff\\xfe.pdf')"`, process.execPath, bin('nofear-open')], { env: { ...process.env, ...t.env }, reject: false });
    assert.equal(odd.exitCode, 125);
    assert.match(odd.stderr, /does not exist/);
    const many = Array.from({ length: 10_000 }, (_, i) => path.join(dir, `missing-${i}.pdf`));
    const result = await runCli('nofear-open', ['--dry-run', ...many], t);
    assert.equal(result.exitCode, 125);
    assert.match(result.stderr, /missing-0\.pdf does not exist/);
  });

  it('refuses /proc, /sys and /dev paths, and symlinks to them, as not documents', async () => {
    const link = path.join(dir, 'innocent.pdf');
    symlinkSync('/proc/self/environ', link);
    for (const file of ['/proc/self/environ', '/dev/null', '/dev/zero', '/sys/kernel/uevent_seqnum', link]) {
      const result = await runCli('nofear-open', ['--dry-run', file], t);
      assert.equal(result.exitCode, 125, file);
      assert.match(result.stderr, /not a document|not a regular file/, file);
    }
  });

  it('refuses a file swapped for a symlink, a FIFO or another file, or grown past the limit, between the check and the copy', async () => {
    const file = path.join(dir, 'doc.pdf');
    writeFileSync(file, 'small');
    const checked = await checkOpenable(file, 100);
    const exportDir = path.join(dir, 'export');
    mkdirSync(exportDir);
    const original = path.join(dir, 'doc.pdf.orig');
    renameSync(file, original);
    symlinkSync('/etc/passwd', file);
    await assert.rejects(stageCopy(checked, exportDir, 'doc.pdf', 100), isCode('InvalidArgument'));
    unlinkSync(file);
    await execa('mkfifo', [file]);
    await assert.rejects(stageCopy(checked, exportDir, 'doc.pdf', 100), isCode('InvalidArgument'));
    unlinkSync(file);
    writeFileSync(file, 'small');
    await assert.rejects(stageCopy(checked, exportDir, 'doc.pdf', 100), isCode('InvalidArgument'), 'another file (another inode) at the path');
    unlinkSync(file);
    renameSync(original, file);
    appendFileSync(file, Buffer.alloc(1000));
    await assert.rejects(stageCopy(checked, exportDir, 'doc.pdf', 100), isCode('LimitReached'));
    assert.deepEqual(readdirSync(exportDir), [], 'a partial or foreign file was staged');
  });
});
