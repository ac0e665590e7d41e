// Who nofear-open --edit asks about a changed copy: nobody when --save-back decided beforehand, nobody (a
// copy kept) without a terminal or a session bus.
import assert from 'node:assert/strict';
import { editDecider } from '../../../src/cli/open-edit.js';
import { parseOpenArgs, type OpenArgs } from '../../../src/cli/nofear-open-args.js';
import { keepCopy } from '../../../src/edit/ask.js';

function openArgs(argv: string[]): OpenArgs {
  const parsed = parseOpenArgs(argv);
  assert.equal(parsed.kind, 'open');
  return (parsed as { args: OpenArgs }).args;
}

describe('cli/open-edit editDecider', () => {
  it('asks nobody when --save-back decided beforehand', () => {
    for (const mode of ['always', 'never']) {
      const decider = editDecider(openArgs(['--edit', `--save-back=${mode}`, 'a.odt']), { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' });
      assert.equal(decider.ask, keepCopy);
      decider.close();
    }
  });

  it('keeps a copy when there is neither a terminal nor a session bus to ask on', () => {
    const stdin = process.stdin as { isTTY?: boolean };
    const wasTTY = stdin.isTTY;
    stdin.isTTY = false;
    try {
      const decider = editDecider(openArgs(['--edit', 'a.odt']), {});
      assert.equal(decider.ask, keepCopy);
      decider.close();
    } finally {
      stdin.isTTY = wasTTY;
    }
  });
});
