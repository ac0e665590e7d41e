// QEMU's seccomp probe (src/vm/qemu-caps.ts) against real stand-in binaries (shell scripts: a real QEMU
// answers the same way, but its exit status is what the probe reads): accepted, refused, not runnable,
// asked once per binary per process, and a yes remembered in the cache for that very binary only.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SECCOMP_POLICY } from '../../../src/vm/qemu-argv.js';
import { cachedSeccomp, qemuHasSeccomp } from '../../../src/vm/qemu-caps.js';

describe('vm/qemu-caps: qemuHasSeccomp', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-qemu-caps-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A script that records its arguments and exits with `status`. */
  const qemu = (name: string, status: number): string => {
    const file = path.join(dir, name);
    writeFileSync(file, `#!/bin/sh\nprintf '%s\\n' "$*" >> "${file}.calls"\nexit ${status}\n`);
    chmodSync(file, 0o755);
    appendFileSync(`${file}.calls`, '');
    return file;
  };

  it('is true when QEMU accepts -sandbox with the policy, asked once per binary', async () => {
    const binary = qemu('with-seccomp', 0);
    assert.equal(await qemuHasSeccomp(binary), true);
    assert.equal(await qemuHasSeccomp(binary), true);
    assert.deepEqual(readFileSync(`${binary}.calls`, 'utf8').split('\n').filter(Boolean), [`-sandbox ${SECCOMP_POLICY} -version`]);
  });

  it('is false when QEMU refuses -sandbox (built without libseccomp) or cannot run at all', async () => {
    assert.equal(await qemuHasSeccomp(qemu('without-seccomp', 1)), false);
    assert.equal(await qemuHasSeccomp(path.join(dir, 'no-such-qemu')), false);
  });

  it('remembers a yes in the cache for that binary until it changes, and never a no', async () => {
    const cache = path.join(dir, 'cache');
    const binary = qemu('cached', 0);
    assert.equal(cachedSeccomp(binary, cache), false);
    assert.equal(await qemuHasSeccomp(binary, cache), true);
    await new Promise((resolve) => setImmediate(resolve)); // the stamp is written once the probe has answered
    assert.equal(cachedSeccomp(binary, cache), true);
    appendFileSync(binary, '# another build\n');
    assert.equal(cachedSeccomp(binary, cache), false);
    const refusing = qemu('refusing', 1);
    assert.equal(await qemuHasSeccomp(refusing, cache), false);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(cachedSeccomp(refusing, cache), false);
  });

  it('asks no QEMU in a later process when the cache remembers this binary', async () => {
    const cache = path.join(dir, 'cache-2');
    const binary = qemu('stamped', 0);
    assert.equal(await qemuHasSeccomp(binary, cache), true);
    await new Promise((resolve) => setImmediate(resolve));
    // A second process (a fresh memo): only the stamp can answer it, and the binary records no second call.
    const module = new URL('../../../src/vm/qemu-caps.ts', import.meta.url).href;
    const script = `const { qemuHasSeccomp } = await import(${JSON.stringify(module)}); process.stdout.write(String(await qemuHasSeccomp(${JSON.stringify(binary)}, ${JSON.stringify(cache)})));`;
    const answer = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(answer, 'true');
    assert.equal(readFileSync(`${binary}.calls`, 'utf8').split('\n').filter(Boolean).length, 1);
  });
});
