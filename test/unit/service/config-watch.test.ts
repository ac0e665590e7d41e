// The service's settings kept current (src/service/daemon/config-watch.ts) with real chokidar on a temporary
// XDG_CONFIG_HOME: a good config.ini is reloaded and logged, one with problems keeps the previous settings
// and says why; the config directory is made when it does not exist yet.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Config } from '../../../src/config/index.js';
import { watchConfig, type ConfigWatch } from '../../../src/service/daemon/config-watch.js';
import { EventWaits } from '../../helpers/event-waits.js';

describe('service/config-watch', () => {
  let home: string;
  let watch: ConfigWatch | undefined;
  beforeEach(() => {
    home = mkdtempSync(path.join(tmpdir(), 'nofear-config-watch-'));
  });
  afterEach(async () => {
    await watch?.close();
    watch = undefined;
    rmSync(home, { recursive: true, force: true });
  });

  it('makes the config directory, reloads a changed config.ini, and keeps the previous settings when the new one has problems', async () => {
    const env = { HOME: home, XDG_CONFIG_HOME: path.join(home, 'config') };
    const waits = new EventWaits();
    const reloads: Config[] = [];
    const lines: string[] = [];
    watch = watchConfig(
      env,
      (config) => {
        reloads.push(config);
        waits.wake();
      },
      (line) => {
        lines.push(line);
        waits.wake();
      },
    );
    const file = path.join(home, 'config', 'nofear', 'config.ini');
    assert.ok(existsSync(path.dirname(file)), 'the directory exists for chokidar to watch');
    await watch.ready;

    writeFileSync(file, '[service]\nmax_sandboxes = 2\n');
    const reloaded = await waits.until(() => reloads[0], 'the reload of a good config.ini', 15_000);
    assert.equal(reloaded.service.maxSandboxes, 2);
    assert.match(lines.at(-1) ?? '', /^config\.ini reloaded: max_sandboxes 2, /);

    writeFileSync(file, '[service]\nmax_sandboxes = 0\n');
    const refused = await waits.until(() => lines.find((line) => /keeping the previous settings/.test(line)), 'the log of a config.ini with problems', 15_000);
    assert.match(refused, /max_sandboxes/);
    assert.equal(reloads.length, 1, 'a config.ini with problems is not applied');
  });
});
