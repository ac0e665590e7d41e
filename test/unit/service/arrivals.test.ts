// [trust] watch in the service (src/service/daemon/arrivals.ts), on a temporary home with real chokidar and the
// real marking: off, nothing is watched and the service may still idle out; on, the places are watched, the
// files already there are marked at start (and queued for thumbnails), skipped places are logged, and the service is held up until close.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultConfig } from '../../../src/config/index.js';
import { startArrivals } from '../../../src/service/daemon/arrivals.js';
import type { IdleExit } from '../../../src/service/daemon/lifetime.js';
import { pollUntil } from '../../../src/util/poll.js';

describe('service/arrivals', () => {
  let home: string;
  let holds: number;
  let lines: string[];
  const idle = {
    hold: () => {
      holds++;
      return () => void holds--;
    },
  } as unknown as IdleExit; // startArrivals only takes a hold
  beforeEach(() => {
    home = mkdtempSync(path.join(tmpdir(), 'nofear-arrivals-'));
    holds = 0;
    lines = [];
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));
  const env = () => ({ HOME: home, XDG_CONFIG_HOME: path.join(home, 'config'), XDG_STATE_HOME: path.join(home, 'state'), XDG_DATA_HOME: path.join(home, 'data') });

  it('with [trust] watch off, watches nothing and holds nothing', async () => {
    const config = defaultConfig();
    assert.equal(
      await startArrivals(
        config,
        env(),
        idle,
        (line) => lines.push(line),
        () => Promise.reject(new Error('no batch without the watch')),
      ),
      undefined,
    );
    assert.equal(holds, 0);
    assert.deepEqual(lines, []);
  });

  it('with [trust] watch on, marks what is already in the places, logs the skipped ones, and holds the service until closed', async () => {
    const downloads = path.join(home, 'Downloads');
    mkdirSync(downloads);
    writeFileSync(path.join(downloads, 'invoice.pdf'), '%PDF-1.4\n');
    const config = defaultConfig();
    config.trust.watch = true;
    config.trust.places = ['~/Downloads', '$NOFEAR_UNSET_PLACE/x'];
    // The VM's side of thumbnails is test/integration/trust; here the batch is a recording stand-in.
    const batches: string[][] = [];
    const arrivals = await startArrivals(
      config,
      env(),
      idle,
      (line) => lines.push(line),
      async (targets) => (batches.push(targets.map((t) => `${path.basename(t.file)}:${t.kind}`)), []),
    );
    assert.ok(arrivals !== undefined);
    assert.equal(holds, 1);
    assert.ok(lines.includes('trust: [trust] places: $NOFEAR_UNSET_PLACE/x: $NOFEAR_UNSET_PLACE is not set'), lines.join('\n'));
    assert.ok(
      lines.some((line) => /^trust: marked 1 of 1 arrival\(s\)/.test(line)),
      lines.join('\n'),
    );
    assert.ok(lines.includes(`trust: watching ${downloads} (the service stays up to mark what arrives)`), lines.join('\n'));
    await pollUntil(() => batches.length > 0, 10_000, 10).catch(() => undefined);
    await arrivals.close();
    assert.equal(holds, 0);
    assert.deepEqual(batches, [['invoice.pdf:pdf']], 'the marked PDF was not queued for a thumbnail');
  });
});
