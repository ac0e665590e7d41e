// A guest that is root and hostile: what it can write, what it can see, what a shared folder lets out.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli, type TestEnv, perTestEnv } from '../helpers/cli.js';

describe('filesystem', function () {
  let t: TestEnv;
  let dir: string;
  perTestEnv('nofear-fs-', (env, scratch) => ([t, dir] = [env, scratch]));

  it('keeps every read-only export read-only, even for guest root remounting it', async () => {
    const name = `nofear-probe-${randomBytes(4).toString('hex')}`;
    const script = [
      'for d in /.lower/*; do',
      `  if touch "$d/${name}" 2>/dev/null; then echo "WROTE-LOWER $d"; fi`,
      `  if mount -o remount,rw "$d" 2>/dev/null && touch "$d/${name}" 2>/dev/null; then echo "WROTE-REMOUNT $d"; fi`,
      `  mknod "$d/${name}.dev" c 1 3 2>/dev/null && echo "MKNOD $d"`,
      'done',
      `touch /usr/${name} && echo OVERLAY-OK`,
    ].join('\n');
    const result = await runCli('nofear', ['-t', '--root', '--', 'sh', '-c', script], t);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.doesNotMatch(result.stdout.toString(), /WROTE|MKNOD/);
    assert.match(result.stdout.toString(), /OVERLAY-OK/);
    for (const host of ['/usr', '/opt']) assert.equal(existsSync(path.join(host, name)), false, `${host} changed on the host`);
  });

  it("finds none of the host's private files from inside, searching the whole guest", async () => {
    const marker = `nofear-marker-${randomBytes(6).toString('hex')}`;
    const planted = [path.join(os.homedir(), marker), path.join(tmpdir(), marker), path.join(t.env.XDG_RUNTIME_DIR ?? '', marker)];
    if (process.getuid?.() === 0) planted.push(`/etc/${marker}`, `/root/${marker}`, `/var/tmp/${marker}`, `/run/${marker}`);
    for (const file of planted) writeFileSync(file, 'secret');
    try {
      // The exports are the host's system dirs by design (no markers can be there); everything else is searched.
      const script = `find / \\( -path /proc -o -path /sys -o -path /dev -o -path /.lower -o -path /usr -o -path /opt \\) -prune -o -name '${marker}*' -print; echo SEARCHED`;
      const result = await runCli('nofear', ['-t', '--root', '--', 'sh', '-c', script], t);
      assert.equal(result.exitCode, 0, result.stderr);
      assert.equal(result.stdout.toString().trim(), 'SEARCHED');
    } finally {
      for (const file of planted) rmSync(file, { force: true });
    }
  });

  it('keeps symlinks, hard links, "..", device nodes, setuid bits and ownership from the shared folder inside it', async () => {
    const shared = path.join(dir, 'shared');
    mkdirSync(shared);
    writeFileSync(path.join(dir, 'outside.txt'), 'outside secret\n');
    writeFileSync(path.join(shared, 'doc.txt'), 'shared\n');
    const script = [
      'cd /shared',
      'cat ../outside.txt 2>/dev/null && echo ESCAPED-DOTDOT',
      'ln -s ../outside.txt up && cat up 2>/dev/null && echo ESCAPED-SYMLINK',
      'ln -s /etc/shadow shadow-link',
      'ln doc.txt hard && echo HARDLINK-OK',
      'mknod node c 1 3 && echo MKNOD-DONE',
      'cp /bin/busybox suid && chown 0:0 suid && chmod 4755 suid && echo SUID-DONE',
      'echo written > new.txt',
    ].join('\n');
    const result = await runCli('nofear', ['-t', '--root', '-f', shared, '--', 'sh', '-c', script], t);
    assert.equal(result.exitCode, 0, result.stderr);
    const out = result.stdout.toString();
    assert.doesNotMatch(out, /ESCAPED/);
    // What the guest made is stored as plain files on the host (guest metadata lives in xattrs).
    for (const name of ['up', 'shadow-link']) assert.equal(lstatSync(path.join(shared, name)).isSymbolicLink(), false, `${name} became a real symlink on the host`);
    // In the guest these work (mapped-xattr keeps them as metadata); on the host they are plain files.
    assert.match(out, /MKNOD-DONE/);
    assert.match(out, /SUID-DONE/);
    const node = lstatSync(path.join(shared, 'node'));
    assert.equal(node.isCharacterDevice(), false, 'the guest made a real device node on the host');
    assert.ok(node.isFile());
    const suid = statSync(path.join(shared, 'suid'));
    assert.equal(suid.mode & 0o6000, 0, 'a setuid bit reached the host');
    assert.equal(suid.uid, process.getuid?.(), 'the guest changed ownership on the host');
    assert.equal(readFileSync(path.join(shared, 'new.txt'), 'utf8'), 'written\n');
    assert.equal(readFileSync(path.join(dir, 'outside.txt'), 'utf8'), 'outside secret\n');
  });
});
