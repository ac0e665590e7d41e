// nofear-open's in-process side of the message view (src/cli/open-attachments.ts): only a mail view's
// stdout is followed; each exported attachment is planned (the real planOpen) and opened as if named on
// the command line, a failure is a warning naming the message and the attachment, and the saved copy goes
// after either way. The session is a stand-in holding a PassThrough as the VM's stdout port; opening and
// converting (which start VMs) are recorders.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { defaultConfig } from '../../../src/config/index.js';
import { followCliAttachments, type AttachmentRun } from '../../../src/cli/open-attachments.js';
import type { OpenArgs } from '../../../src/cli/nofear-open-args.js';
import type { OpenPlan } from '../../../src/open/open-plan.js';
import type { GuiSession } from '../../../src/sandbox/gui-session.js';
import { scopedEnv } from '../../helpers/scoped-env.js';

const frame = (action: string, name: string, bytes: string) => Buffer.concat([Buffer.from(`nofear-export 1 ${action} ${bytes.length} ${Buffer.from(name).toString('base64')}\n`), Buffer.from(bytes)]);

function session(): { port: PassThrough; session: GuiSession } {
  const port = new PassThrough();
  return { port, session: { sandbox: { ports: { stdout: port as unknown as net.Socket } } } as unknown as GuiSession };
}

describe('cli/open-attachments', function () {
  this.timeout(20_000); // planOpen reads the host's MIME data: slow only on a busy machine
  const env = scopedEnv();
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-cli-attach-'));
    env.set({ XDG_CACHE_HOME: path.join(dir, 'cache') });
  });
  afterEach(() => {
    env.restore();
    rmSync(dir, { recursive: true, force: true });
  });

  function run(open: (plan: OpenPlan) => Promise<number>, warnings: string[]): AttachmentRun {
    return { config: defaultConfig(), args: {} as OpenArgs, warn: (line) => warnings.push(line), open };
  }

  it('follows nothing but a mail view', () => {
    const { port, session: s } = session();
    const pending: Promise<void>[] = [];
    followCliAttachments(
      { view: 'pdf', file: '/m.pdf' } as unknown as OpenPlan,
      s,
      run(async () => 0, []),
      pending,
    );
    assert.equal(port.listenerCount('data'), 0);
  });

  it('opens each exported attachment from its own saved copy, which goes once the open ended; a failed open is a warning naming both', async () => {
    const { port, session: s } = session();
    const pending: Promise<void>[] = [];
    const warnings: string[] = [];
    const opened: Array<{ file: string; existed: boolean }> = [];
    let second = () => {};
    const both = new Promise<void>((resolve) => (second = resolve));
    const open = async (plan: OpenPlan) => {
      opened.push({ file: plan.file, existed: existsSync(plan.file) });
      if (opened.length === 2) second();
      // Each attachment is planned on its own (reading the MIME data), so the two may open in either order.
      if (path.basename(plan.file) === 'notes.txt') throw new Error('no viewer started');
      return 0;
    };
    followCliAttachments({ view: 'mail', file: '/home/u/letter.eml' } as unknown as OpenPlan, s, run(open, warnings), pending);
    port.write(Buffer.concat([frame('open', 'report.pdf', '%PDF-1.4\n%%EOF\n'), frame('open', 'notes.txt', 'hello\n')]));
    await both;
    await Promise.all(pending);
    assert.deepEqual(opened.map((o) => [path.basename(o.file), o.existed]).sort(), [
      ['notes.txt', true],
      ['report.pdf', true],
    ]);
    for (const { file } of opened) assert.equal(existsSync(file), false, `${file} removed after its open`);
    assert.deepEqual(warnings, ['/home/u/letter.eml: the attachment notes.txt: no viewer started']);
  });
});
