// The host client's paste gate (src/gui/nofear_xpra/paste.py, issue 28 finding 3): pure Python with a
// clock passed in, run here with the system's python3 (the interpreter the client itself runs on).
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const NOFEAR_XPRA = fileURLToPath(new URL('../../../src/gui/', import.meta.url));

/** Runs `script` with `paste` imported and a settable `clock`; returns what it prints, one value a line. */
async function gate(script: string): Promise<string[]> {
  const prelude = ['import json', 'from nofear_xpra import paste', 'now = [100.0]', 'clock = lambda: now[0]', 'g = paste.PasteGate(clock)', ''].join('\n');
  const result = await execa('/usr/bin/python3', ['-c', prelude + script], { env: { PYTHONPATH: NOFEAR_XPRA, PYTHONDONTWRITEBYTECODE: '1' }, extendEnv: false, timeout: 10_000 });
  return result.stdout.split('\n');
}

describe("the host client's paste gate", () => {
  it('admits nothing before a paste, and never PRIMARY', async () => {
    assert.deepEqual(await gate('print(g.admit("CLIPBOARD"))\ng.open()\nprint(g.admit("PRIMARY"))\nprint(g.admit("CLIPBOARD"))'), ['False', 'False', 'True']);
  });

  it("admits a busy guest's first request long after the key, then closes soon after it", async () => {
    const lines = await gate(
      [
        'g.open()',
        'now[0] += paste.FIRST_REQUEST_S - 1',
        'print(g.admit("CLIPBOARD"))', // late, as under TCG at load 15: still the user's paste
        'now[0] += 0.5',
        'print(g.admit("CLIPBOARD"))', // the application's follow-up
        'now[0] = 100 + paste.FIRST_REQUEST_S + 0.1',
        'print(g.admit("CLIPBOARD"))', // past the first-request bound: closed
        'g.open()',
        'now[0] += paste.FIRST_REQUEST_S + 0.1',
        'print(g.admit("CLIPBOARD"))', // nobody asked in time: closed
      ].join('\n'),
    );
    assert.deepEqual(lines, ['True', 'True', 'False', 'False']);
  });

  it('gives a guest that asks at once (a poller) only FOLLOW_UP_S and ANSWERS_PER_PASTE answers', async () => {
    const lines = await gate(
      [
        'g.open()',
        'answers = sum(1 for _ in range(50) if g.admit("CLIPBOARD"))',
        'print(answers == paste.ANSWERS_PER_PASTE)',
        'g.open()',
        'print(g.admit("CLIPBOARD"))',
        'now[0] += paste.FOLLOW_UP_S + 0.1',
        'print(g.admit("CLIPBOARD"))',
        'print(paste.FOLLOW_UP_S < paste.FIRST_REQUEST_S <= 15)',
      ].join('\n'),
    );
    assert.deepEqual(lines, ['True', 'True', 'False', 'True']);
  });
});
