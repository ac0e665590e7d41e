// watchArrivals with real chokidar on a temp home: what lay there before is marked by the time `ready`
// resolves, a file that arrives later is marked as it comes (waited for by its event, with a deadline), a
// file marked already is kept; a missing place under the home is made (private), one elsewhere is logged.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fromOutside, type TrustScope } from '../../../src/trust/origin.js';
import { watchArrivals, type ArrivalWatch } from '../../../src/trust/watcher.js';
import { keepIndexerOut } from '../../../src/trust/indexer.js';
import { EventWaits } from '../../helpers/event-waits.js';

describe('trust/watcher watchArrivals', function () {
  this.timeout(30_000); // a Python per marked batch: slow only on a busy machine
  let dir: string;
  let place: string;
  let scope: TrustScope;
  let watch: ArrivalWatch | undefined;
  const marked = new Map<string, string>();
  const logged: string[] = [];
  const waits = new EventWaits();
  const start = (places: string[]) => {
    scope = { env: { HOME: dir, XDG_STATE_HOME: path.join(dir, 'state'), PATH: process.env.PATH ?? '/usr/bin:/bin' }, places, skipped: [] };
    watch = watchArrivals(scope, {
      log: (line) => logged.push(line),
      onMarked: (files, stores) => {
        files.forEach((file, i) => marked.set(file, stores[i] ?? '?'));
        waits.wake();
      },
    });
    return watch;
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-watcher-'));
    place = path.join(dir, 'Downloads');
    marked.clear();
    logged.length = 0;
  });
  afterEach(async () => {
    await watch?.close();
    watch = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('marks what lay there before by the time it is ready, then each file as it arrives', async () => {
    mkdirSync(place);
    const old = path.join(place, 'old.pdf');
    writeFileSync(old, 'x');
    await start([place]).ready;
    assert.equal(marked.get(old), 'xattr');
    assert.match((await fromOutside(old, scope)).why, /^arrived in .*Downloads, marked \d{4}-/);
    const fresh = path.join(place, 'sub', 'fresh.zip');
    mkdirSync(path.dirname(fresh));
    writeFileSync(fresh, 'y');
    assert.equal(await waits.until(() => marked.get(fresh), 'the arrival marked', 20_000), 'xattr');
    assert.equal((await fromOutside(fresh, scope)).outside, true);
  });

  it("puts tracker's .trackerignore in each place, never marks it, and leaves one already there", async () => {
    mkdirSync(place);
    await start([place]).ready;
    assert.equal(statSync(path.join(place, '.trackerignore')).size, 0);
    assert.equal(marked.has(path.join(place, '.trackerignore')), false);
    writeFileSync(path.join(place, '.trackerignore'), 'mine');
    const lines: string[] = [];
    await keepIndexerOut(place, (line) => lines.push(line));
    await keepIndexerOut(path.join(dir, 'absent'), (line) => lines.push(line));
    assert.deepEqual(lines, [`trust: cannot write .trackerignore in ${path.join(dir, 'absent')} (ENOENT); tracker may index it`]);
  });

  it('keeps a mark already there (a restart rescans)', async () => {
    mkdirSync(place);
    const file = path.join(place, 'a.pdf');
    writeFileSync(file, 'x');
    await start([place]).ready;
    await watch?.close();
    marked.clear();
    await start([place]).ready;
    assert.equal(marked.get(file), 'kept');
  });

  it('makes a missing place under the home, private; logs one elsewhere and watches nothing there', async () => {
    const elsewhere = path.join(tmpdir(), `nofear-watcher-absent-${process.pid}`);
    const started = start([place, elsewhere]);
    assert.deepEqual(started.watched, [place]);
    assert.equal(statSync(place).mode & 0o777, 0o700);
    assert.equal(existsSync(elsewhere), false);
    assert.deepEqual(logged, [`trust: ${elsewhere} does not exist; not watched`]);
    await started.ready;
  });

  it('is ready at once with no place to watch', async () => {
    const started = start([path.join(tmpdir(), `nofear-watcher-absent-${process.pid}`)]);
    assert.deepEqual(started.watched, []);
    await started.ready;
    assert.equal(marked.size, 0);
  });
});
