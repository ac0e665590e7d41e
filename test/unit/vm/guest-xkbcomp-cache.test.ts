// The guest X server's compiled-keymap cache (src/guest/xkbcomp.sh), run on the host: the host's busybox
// and its real xkbcomp are the binaries the guest runs (its /usr is the host's). Only the script's three
// guest paths (busybox's applets, the real xkbcomp, the cache) point elsewhere. The arguments and the
// keymap text are what Xvfb 21 gives xkbcomp (the output path absolute: xkbcomp changes into its -R
// directory); the first compile of a text fills the cache, the second is served from it with the same
// bytes, another text is compiled for itself.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { busyboxPath, GUEST_DIR } from '../../../src/vm/initramfs.js';
import { compileSeededKeymaps, serverCompileArgs, serverKeymapText, XVFB_DEFAULT_COMPONENTS } from '../../../src/vm/guest-keymap.js';
import { startXvfb } from '../../helpers/xvfb.js';

const XKBCOMP = '/usr/bin/xkbcomp';

/** The text Xvfb writes on xkbcomp's stdin for its default keymap (rules evdev, model pc105, layout us). */
function keymapText(symbols: string): string {
  return [
    'xkb_keymap "default" {',
    '\txkb_keycodes             { include "evdev+aliases(qwerty)"\t};',
    '\txkb_types                { include "complete"\t};',
    '\txkb_compatibility        { include "complete"\t};',
    `\txkb_symbols              { include "${symbols}"\t};`,
    '\txkb_geometry             { include "pc(pc105)"\t};',
    '};',
    '',
  ].join('\n');
}

/** An .xkm file (xkbcomp's magic) naming these symbols. */
function isCompiledKeymap(data: Buffer, symbols: string): boolean {
  return data.subarray(0, 4).equals(Buffer.from([0x0f, 0x6d, 0x6b, 0x78])) && data.includes(Buffer.from(symbols));
}

/** Xvfb's command line for a compile (xkb/ddxLoad.c), the output last. */
function serverArgs(out: string): string[] {
  return ['-w', '1', '-R/usr/share/X11/xkb', '-xkm', '-', '-em1', 'The XKEYBOARD keymap compiler (xkbcomp) reports:', '-emp', '> ', '-eml', 'Errors from xkbcomp are not fatal to the X server', out];
}

describe('guest keymap cache (src/guest/xkbcomp.sh)', function () {
  this.timeout(60_000); // xkbcomp compiles in well under a second, slower on a busy machine
  let dir: string;
  let script: string;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-xkbcomp-'));
    const applets = path.join(dir, 'bb');
    mkdirSync(applets);
    for (const applet of ['cat', 'sha256sum', 'cp', 'mv', 'mkdir']) symlinkSync(busyboxPath(process.env), path.join(applets, applet));
    const original = readFileSync(path.join(GUEST_DIR, 'xkbcomp.sh'), 'utf8');
    const moved = original
      .replace(/^export PATH=.*$/m, `export PATH=${applets}`)
      .replace(/^REAL=.*$/m, `REAL=${XKBCOMP}`)
      .replace(/^SEEDED=.*$/m, `SEEDED=${path.join(dir, 'seeded')}`)
      .replace(/^CACHE=.*$/m, `CACHE=${path.join(dir, 'cache')}`);
    assert.notEqual(moved, original);
    script = path.join(dir, 'xkbcomp');
    writeFileSync(script, moved, { mode: 0o755 });
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  const wrapped = (input: string, out: string) => execa(busyboxPath(process.env), ['sh', script, ...serverArgs(out)], { input, reject: false });

  it('compiles a keymap once and serves the same bytes from the cache the second time', async () => {
    const out = path.join(dir, 'server-100.xkm');
    const first = await wrapped(keymapText('pc+us+inet(evdev)'), out);
    assert.equal(first.exitCode, 0, first.stderr);
    assert.match(first.stderr, /nofear-xkbcomp: compiled from/);
    const compiled = readFileSync(out);
    assert.ok(isCompiledKeymap(compiled, 'pc+us+inet(evdev)'), 'not an .xkm of the us keymap');
    rmSync(out); // as the X server does once it has read it

    // xkbcomp's output differs from run to run in a few bytes: equal bytes mean the cache served it.
    const second = await wrapped(keymapText('pc+us+inet(evdev)'), out);
    assert.equal(second.exitCode, 0, second.stderr);
    assert.match(second.stderr, /nofear-xkbcomp: cached keymap/);
    assert.deepEqual(readFileSync(out), compiled);
  });

  it('compiles another keymap text for itself, never serving the cached one', async () => {
    await wrapped(keymapText('pc+us+inet(evdev)'), path.join(dir, 'us.xkm'));
    const out = path.join(dir, 'de.xkm');
    const german = await wrapped(keymapText('pc+de+inet(evdev)'), out);
    assert.equal(german.exitCode, 0, german.stderr);
    assert.match(german.stderr, /nofear-xkbcomp: compiled from/);
    assert.ok(isCompiledKeymap(readFileSync(out), 'pc+de+inet(evdev)'), 'not an .xkm of the German keymap');
  });

  it("serves Xvfb's default keymap from the host-compiled one (src/vm/guest-keymap.ts) on its first compile", async () => {
    const serverDir = path.join(dir, 'server');
    mkdirSync(serverDir);
    const args = serverCompileArgs(100, serverDir); // the guest's /tmp, moved here
    const [seed, ...more] = await compileSeededKeymaps(args);
    assert.ok(seed !== undefined && more.length === 0, 'the host compiled no keymap');
    assert.ok(isCompiledKeymap(seed.data, 'pc+us+inet(evdev)'));
    mkdirSync(path.join(dir, 'seeded'));
    writeFileSync(path.join(dir, 'seeded', path.basename(seed.path)), seed.data);

    const run = await execa(busyboxPath(process.env), ['sh', script, ...args], { input: serverKeymapText(XVFB_DEFAULT_COMPONENTS), reject: false });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match(run.stderr, /nofear-xkbcomp: cached keymap \(.*\/seeded\//, 'the host-compiled keymap was not found under the name the guest computes');
    assert.deepEqual(readFileSync(args.at(-1) ?? ''), seed.data);
  });

  it("names the components a fresh Xvfb's keymap has (the host's rules: a stale list is a miss, compiled in the guest)", async () => {
    const x = await startXvfb();
    try {
      const printed = (await execa('setxkbmap', ['-display', x.display, '-print'], { timeout: 20_000 })).stdout;
      const components = [...printed.matchAll(/xkb_(\w+)\s*\{\s*include "([^"]*)"/g)].map((match) => [match[1] === 'compat' ? 'compatibility' : match[1], match[2]]); // setxkbmap's short name for the section
      assert.deepEqual(components, XVFB_DEFAULT_COMPONENTS);
    } finally {
      await x.stop();
    }
  });

  it("passes any other use of xkbcomp to the real one untouched (not the X server's compile form)", async () => {
    const text = path.join(dir, 'dump.xkb');
    const run = await execa(busyboxPath(process.env), ['sh', script, '-w', '1', '-R/usr/share/X11/xkb', '-xkb', '-', text], { input: keymapText('pc+us+inet(evdev)'), reject: false });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.doesNotMatch(run.stderr, /nofear-xkbcomp/);
    assert.match(readFileSync(text, 'utf8'), /xkb_symbols/);
  });
});
