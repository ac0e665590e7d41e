// The host's side of an attachment export: each frame from the message view's stdout becomes a new private
// file (0600 in its own 0700 directory of the cache), handed on in order; a broken stream gives no more.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { attachmentsRoot, followExports, type SavedAttachment } from '../../../src/open/attachment-export.js';
import { fromOutside } from '../../../src/trust/origin.js';

const frame = (action: string, name: string, bytes: string) => Buffer.concat([Buffer.from(`nofear-export 1 ${action} ${bytes.length} ${Buffer.from(name).toString('base64')}\n`), Buffer.from(bytes)]);

/** Follows a stand-in for the stdout port until `count` attachments were handed on and the queue is idle. */
async function follow(chunks: Buffer[], env: NodeJS.ProcessEnv, count: number): Promise<{ saved: SavedAttachment[]; log: string[] }> {
  const port = new PassThrough();
  const saved: SavedAttachment[] = [];
  const log: string[] = [];
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => (done = resolve));
  followExports(port as unknown as net.Socket, {
    env,
    log: (line) => log.push(line),
    onAttachment: (attachment) => {
      saved.push(attachment);
      if (saved.length === count) done();
    },
  });
  for (const chunk of chunks) port.write(chunk);
  if (count > 0) await all;
  await new Promise((resolve) => setImmediate(resolve));
  return { saved, log };
}

describe('attachment export (the host side of the message view)', () => {
  let top: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    top = mkdtempSync(path.join(tmpdir(), 'nofear-export-'));
    env = { HOME: top, XDG_CACHE_HOME: path.join(top, 'cache') };
  });
  afterEach(() => rmSync(top, { recursive: true, force: true }));

  it('saves each attachment as a private file of its own, in order, and removes it with its directory', async () => {
    const { saved, log } = await follow([frame('open', '../report.pdf', '%PDF-1.4 a'), frame('convert', 'report.pdf', '%PDF-1.4 b')], env, 2);
    assert.deepEqual(log, []);
    assert.deepEqual(
      saved.map((s) => [s.action, path.basename(s.file), readFileSync(s.file, 'utf8')]),
      [
        ['open', 'report.pdf', '%PDF-1.4 a'],
        ['convert', 'report.pdf', '%PDF-1.4 b'],
      ],
    );
    assert.notEqual(path.dirname(saved[0]?.file ?? ''), path.dirname(saved[1]?.file ?? ''), 'one directory each: the same name never clashes');
    for (const { file } of saved) {
      assert.equal(path.dirname(path.dirname(file)), attachmentsRoot(env));
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(statSync(path.dirname(file)).mode & 0o777, 0o700);
      // Everything a guest made carries the mark (issue 29), wherever the user later moves it.
      const verdict = await fromOutside(file, { env, places: [], skipped: [] });
      assert.equal(verdict.outside, true);
      assert.match(verdict.why, /^made in a NoFear VM \(an attachment exported from a message\), marked /);
    }
    await Promise.all(saved.map((s) => s.remove()));
    for (const { file } of saved) assert.ok(!existsSync(path.dirname(file)));
  });

  it('says when the view breaks the format, and takes nothing after it', async () => {
    const { saved, log } = await follow([frame('open', 'a.pdf', 'x'), Buffer.from('garbage\n'), frame('open', 'b.pdf', 'y')], env, 1);
    assert.deepEqual(
      saved.map((s) => path.basename(s.file)),
      ['a.pdf'],
    );
    assert.deepEqual(log, ['the message view broke the export format (a malformed export header): no more attachments from it']);
  });
});
