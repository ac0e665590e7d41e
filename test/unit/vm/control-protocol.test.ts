import assert from 'node:assert/strict';
import { encodeJob, encodeLaunch, encodePrepare, LineSplitter, MAX_GUEST_LINE, parseGuestLine } from '../../../src/vm/control-protocol.js';

describe('control protocol', () => {
  it('encodes every argument with anything but plain characters as base64, so names with newlines or shell syntax are just bytes', () => {
    const text = encodeJob({ argv: ['cat', '; rm -rf ~ #\n.pdf'], env: { HOME: '/home/user', PS1: '$ ' }, user: 'user', stdio: 'pipe', hostname: 'nofear-tmp' });
    const lines = text.trimEnd().split('\n');
    assert.deepEqual(lines, [
      'arg-word cat',
      `arg ${Buffer.from('; rm -rf ~ #\n.pdf').toString('base64')}`,
      'env-word HOME=/home/user',
      `env ${Buffer.from('PS1=$ ').toString('base64')}`,
      'user user',
      'stdio pipe',
      'hostname nofear-tmp',
      'run',
    ]);
  });

  it("tells the guest's GUI server to take the clipboard ([gui] clipboard = to-guest) before it starts it", () => {
    const job = encodeJob({ argv: ['x'], env: {}, user: 'user', stdio: 'pipe', hostname: 'h', gui: true, clipboard: true })
      .trimEnd()
      .split('\n');
    assert.ok(job.indexOf('clipboard 1') >= 0 && job.indexOf('clipboard 1') < job.indexOf('gui 1'), job.join('|'));
    assert.equal(encodeJob({ argv: ['x'], env: {}, user: 'user', stdio: 'pipe', hostname: 'h', gui: true }).includes('clipboard'), false);
    assert.equal(encodePrepare({ gui: true, sound: false, clipboard: true }), 'clipboard 1\ngui 1\n');
    assert.equal(encodePrepare({ gui: true, sound: false }), 'gui 1\n');
    assert.equal(encodePrepare({ gui: false, sound: false, clipboard: true }), '');
  });

  it('asks for a launch beside the job with each argument one base64 value (a URL with shell syntax stays one word), then its number', () => {
    const url = 'http://example.org/a b;$(reboot)\n`x`';
    assert.deepEqual(encodeLaunch(['netsurf-gtk', url], 3).trimEnd().split('\n'), [
      `launch-arg ${Buffer.from('netsurf-gtk').toString('base64')}`,
      `launch-arg ${Buffer.from(url).toString('base64')}`,
      'launch 3',
    ]);
    assert.throws(() => encodeLaunch([], 1));
    assert.throws(() => encodeLaunch(['x'], 0));
    assert.throws(() => encodeLaunch(['x'], 1_000_000));
  });

  it("parses the guest's launched answer strictly: one number, nothing else", () => {
    assert.deepEqual(parseGuestLine('launched 12'), { type: 'launched', seq: 12 });
    for (const bad of ['launched', 'launched 0', 'launched 012', 'launched 1 2', 'launched -1', 'launched 1e3', 'launched 9999999', 'launched x']) {
      assert.equal(parseGuestLine(bad).type, 'invalid', bad);
    }
  });

  it("sends a value as a plain word only when the agent's `read -r` keeps it as it is: one word, nothing a shell or read would change", () => {
    const lineOf = (arg: string) => encodeJob({ argv: [arg], env: {}, user: 'user', stdio: 'pipe', hostname: 'h' }).split('\n')[0] ?? '';
    for (const plain of ['true', '/usr/bin/env', 'LANG=C.UTF-8', 'a,b:c@d%e+f-g_h.i']) assert.equal(lineOf(plain), `arg-word ${plain}`);
    for (const other of ['', ' ', 'a b', 'a\tb', 'a\nb', '*', '?', '[a]', '$HOME', '`x`', "'", '"', '\\', 'a;b', 'a|b', '~', 'é', '\u0000']) {
      assert.equal(lineOf(other), `arg ${Buffer.from(other).toString('base64')}`, JSON.stringify(other));
    }
  });

  it('refuses bad environment names and hostnames', () => {
    assert.throws(() => encodeJob({ argv: ['x'], env: { 'A B': '1' }, user: 'user', stdio: 'pipe', hostname: 'h' }));
    assert.throws(() => encodeJob({ argv: ['x'], env: {}, user: 'user', stdio: 'pipe', hostname: 'bad host' }));
  });

  it('parses the guest messages strictly', () => {
    assert.deepEqual(parseGuestLine('hello 1'), { type: 'hello', version: 1 });
    assert.deepEqual(parseGuestLine('exit 7 3 4'), { type: 'exit', status: 7, stdoutBytes: 3, stderrBytes: 4 });
    assert.equal(parseGuestLine('exit 256 0 0').type, 'invalid');
    assert.equal(parseGuestLine('exit -1 0 0').type, 'invalid');
    assert.equal(parseGuestLine('exit 1 0x10 0').type, 'invalid');
    assert.equal(parseGuestLine('exit 1 0').type, 'invalid');
    assert.equal(parseGuestLine('hello 2').type, 'invalid');
    assert.equal(parseGuestLine('rm -rf /').type, 'invalid');
    assert.equal(parseGuestLine('x'.repeat(MAX_GUEST_LINE + 1)).type, 'invalid');
    assert.deepEqual(parseGuestLine('error \x1b[31mevil\x07'), { type: 'error', reason: '31mevil' });
  });

  it('splits lines across chunks and reports an endless line once, without buffering it', () => {
    const splitter = new LineSplitter();
    const lines: string[] = [];
    splitter.push(Buffer.from('hel'), (l) => lines.push(l));
    splitter.push(Buffer.from('lo 1\nstar'), (l) => lines.push(l));
    splitter.push(Buffer.from('ted\n'), (l) => lines.push(l));
    assert.deepEqual(lines, ['hello 1', 'started']);
    const flood: string[] = [];
    for (let i = 0; i < 100; i++) splitter.push(Buffer.alloc(1000, 0x41), (l) => flood.push(l));
    splitter.push(Buffer.from('\nexit 0 0 0\n'), (l) => flood.push(l));
    assert.equal(flood.length, 2);
    assert.equal(parseGuestLine(flood[0] ?? '').type, 'invalid');
    assert.equal(flood[1], 'exit 0 0 0');
  });
});
