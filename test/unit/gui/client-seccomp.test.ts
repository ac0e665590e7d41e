import assert from 'node:assert/strict';
import { clientSeccompProgram } from '../../../src/gui/client-seccomp.js';

/** A classic-BPF interpreter for the few instructions the program uses, over struct seccomp_data. */
function run(program: Buffer, call: { nr: number; arch?: number; arg0?: number }): number {
  const data = Buffer.alloc(64);
  data.writeUInt32LE(call.nr, 0);
  data.writeUInt32LE(call.arch ?? 0xc000003e, 4);
  data.writeUInt32LE(call.arg0 ?? 0, 16);
  let accumulator = 0;
  for (let pc = 0; pc * 8 < program.length; pc++) {
    const code = program.readUInt16LE(pc * 8);
    const jt = program.readUInt8(pc * 8 + 2);
    const jf = program.readUInt8(pc * 8 + 3);
    const k = program.readUInt32LE(pc * 8 + 4);
    if (code === 0x20) accumulator = data.readUInt32LE(k);
    else if (code === 0x06) return k;
    else if (code === 0x15) pc += accumulator === k ? jt : jf;
    else if (code === 0x35) pc += accumulator >= k ? jt : jf;
    else if (code === 0x45) pc += (accumulator & k) !== 0 ? jt : jf;
    else throw new Error(`unexpected BPF code ${code.toString(16)} at ${pc}`);
  }
  throw new Error('the program ran off its end');
}

const ALLOW = 0x7fff0000;
const EPERM = 0x00050001;
const ENOSYS = 0x00050026;

describe("the Xpra client's seccomp program", () => {
  const program = clientSeccompProgram();
  const cases: Array<[string, { nr: number; arch?: number; arg0?: number }, number]> = [
    ['read', { nr: 0 }, ALLOW],
    ['openat', { nr: 257 }, ALLOW],
    ['connect', { nr: 42 }, ALLOW],
    ['mount', { nr: 165 }, EPERM],
    ['ptrace', { nr: 101 }, EPERM],
    ['unshare', { nr: 272 }, EPERM],
    ['setns', { nr: 308 }, EPERM],
    ['bpf', { nr: 321 }, EPERM],
    ['io_uring_setup', { nr: 425 }, EPERM],
    ['init_module', { nr: 175 }, EPERM],
    ['keyctl', { nr: 250 }, EPERM],
    ['clone for a thread', { nr: 56, arg0: 0x003d0f00 }, ALLOW],
    ['clone with CLONE_NEWUSER', { nr: 56, arg0: 0x10000000 | 0x11 }, EPERM],
    ['clone with CLONE_NEWNET', { nr: 56, arg0: 0x40000000 }, EPERM],
    ['clone3 (arguments unreadable: glibc falls back to clone)', { nr: 435 }, ENOSYS],
    ['an x32 call', { nr: 0x40000000 + 165 }, EPERM],
    ['an i386 call', { nr: 21, arch: 0x40000003 }, EPERM],
  ];
  for (const [name, call, verdict] of cases) {
    it(`${verdict === ALLOW ? 'allows' : 'refuses'} ${name}`, () => {
      assert.equal(run(program, call).toString(16), verdict.toString(16));
    });
  }
  it('is whole instructions, short enough for every jump to reach', () => {
    assert.equal(program.length % 8, 0);
    assert.ok(program.length / 8 < 255);
  });
});
