// A hostile converter (a real VM running test/adversarial/hostile-converter.sh in place of
// src/guest/convert.sh): whatever it claims or sends, the conversion ends with the named error, nothing
// is written (no safe PDF, no temporary file), and the host's memory stays bounded.
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bin, leftoverSandboxes, makeTestEnv, ROOT, type TestEnv } from '../helpers/cli.js';
import { hostileGuestEnv } from '../helpers/hostile.js';
import { startListener, startPrivateBus } from '../helpers/private-bus.js';

/**
 * nofear-open's peak resident memory must stay under this. Measured: 105 MiB converting the real 17-page
 * PDF of test/integration/convert.test.ts, up to 152 MiB here when the run also builds the hostile guest
 * image; a host that kept the 100 MB a flooding guest sends would be past 230 MiB.
 */
const MAX_RSS_KIB = 180 * 1024;

describe('hostile converter', function () {
  let t: TestEnv;
  let hostile: Record<string, string>;
  let dir: string;
  before(async () => {
    hostile = await hostileGuestEnv({ file: 'convert.sh', by: 'hostile-converter.sh' });
  });
  beforeEach(() => {
    t = makeTestEnv();
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-hostile-convert-'));
  });
  afterEach(() => {
    assert.deepEqual(leftoverSandboxes(t), [], 'the hostile VM left its runtime directory');
    t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Converts a PDF whose second line tells the hostile converter what to do; under /usr/bin/time for the peak memory. */
  async function convertHostile(mode: string) {
    const file = path.join(dir, `${mode}.pdf`);
    writeFileSync(file, `%PDF-1.4\n${mode}\n%%EOF\n`);
    const started = Date.now();
    const result = await execa('/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, bin('nofear-open'), '--convert', file], {
      env: { ...t.env, ...hostile },
      reject: false,
      timeout: 240_000,
    });
    const maxRssKiB = Number(/maxrss=(\d+)/.exec(result.stderr)?.[1] ?? 'NaN');
    console.log(`      ${mode}: exit ${result.exitCode} after ${((Date.now() - started) / 1000).toFixed(1)} s, peak ${Math.round(maxRssKiB / 1024)} MiB`);
    return { ...result, maxRssKiB, left: readdirSync(dir).filter((name) => name !== path.basename(file)) };
  }

  function assertRefused(result: Awaited<ReturnType<typeof convertHostile>>, violation: RegExp): void {
    assert.equal(result.exitCode, 125, result.stderr);
    assert.match(result.stderr, violation);
    assert.match(result.stderr, /nothing was written/);
    assert.deepEqual(result.left, [], 'something was written beside the document');
    assert.ok(result.maxRssKiB < MAX_RSS_KIB, `nofear-open grew to ${result.maxRssKiB} KiB`);
  }

  it('a page claiming 100000 x 100000 pixels: PageTooLarge at its header, the rest never read', async () => {
    assertRefused(await convertHostile('huge'), /announced page 1 as 100000 x 100000 pixels, over the limit of 10000 x 10000 \(PageTooLarge\)/);
  });

  it('more pages than the limit: TooManyPages at the first line', async () => {
    assertRefused(await convertHostile('too-many-pages'), /announced 10001 pages, over the limit of 10000 \(TooManyPages\)/);
  });

  it('a page more than it announced: UnannouncedData', async () => {
    assertRefused(await convertHostile('unannounced-page'), /after the last of the 1 pages it announced \(UnannouncedData\)/);
  });

  it('fewer bytes than a page announced: TruncatedPage', async () => {
    assertRefused(await convertHostile('short'), /ended page 1 11999000 bytes short of what its header announced \(TruncatedPage\)/);
  });

  it('a converter that fails saying "The document is safe": the message and the notification start with NoFear\'s words and quote the line as the VM\'s', async () => {
    const file = path.join(dir, 'claims-safe.pdf');
    writeFileSync(file, '%PDF-1.4\nclaims-safe\n%%EOF\n');
    const bus = await startPrivateBus(dir, {}, { activation: false });
    const notifications = await startListener(path.join(ROOT, 'test', 'fixtures', 'nofear-bus-listener.py'), bus.address, { NOFEAR_LISTENER_NAMES: 'org.freedesktop.Notifications' });
    try {
      // stderr is a pipe, as from a file manager's menu: the failure is also a notification.
      const result = await execa(process.execPath, [bin('nofear-open'), '--convert', file], {
        env: { ...t.env, ...hostile, DBUS_SESSION_BUS_ADDRESS: bus.address, XDG_STATE_HOME: path.join(dir, 'state') },
        reject: false,
        timeout: 240_000,
      });
      assert.equal(result.exitCode, 125, result.stderr);
      const said = `the VM said: “The document is safe; open the original”`;
      const line = result.stderr.split('\n').find((l) => l.includes('could not render')) ?? '';
      assert.ok(line.startsWith(`nofear-open: the converter could not render ${file} (Unrenderable); ${said}.`), result.stderr);
      const notify = await notifications.waitFor((r) => r.method === 'Notify', 10_000);
      const [, , , summary, body] = notify.args as [string, number, string, string, string];
      assert.equal(summary, 'NoFear could not convert claims-safe.pdf');
      assert.ok(body.startsWith(`• claims-safe.pdf: the converter could not render ${file} (Unrenderable); ${said}.`), body);
      assert.deepEqual(
        readdirSync(dir).filter((name) => name.endsWith('.safe.pdf')),
        [],
      );
    } finally {
      await notifications.stop();
      await bus.stop();
    }
  });

  it('100 MB of a page sent as fast as the guest can, then cut short: streamed, not kept, and TruncatedPage', async () => {
    assertRefused(await convertHostile('flood-short'), /ended page 1 8000000 bytes short of what its header announced \(TruncatedPage\)/);
  });
});
