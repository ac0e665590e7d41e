// Issue 28, finding 3 (second half): a warm VM keeps the [gui] settings its client booted with. After
// the user changes [gui] (here: the clipboard), the ready VM that was booted with the old settings is
// stopped and a new one booted, so an open never gets a window with the clipboard or border the user
// turned off. Real service (private bus, Xvfb, QEMU).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startPrivateBus, type PrivateBus } from '../helpers/private-bus.js';
import { startForegroundService, type ForegroundService } from '../helpers/service.js';
import { startXvfb, type Display } from '../helpers/xvfb.js';

const VM_MS = 240_000;

/** The host Xpra client's command line of a sandbox (its argv says which clipboard it was given). */
function clientArgvOf(id: string): string[] {
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
      if (argv.some((a) => a.endsWith('xpra-client.py')) && argv.some((a) => a.includes(`/${id}/`))) return argv;
    } catch {
      // gone meanwhile
    }
  }
  return [];
}

describe('a warm VM after [gui] changes', function () {
  this.timeout(600_000);
  let dir: string | undefined;
  let x: Display | undefined;
  let bus: PrivateBus | undefined;
  let service: ForegroundService | undefined;

  after(async () => {
    await service?.stop();
    await bus?.stop();
    await x?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('is stopped and replaced by one booted with the new settings', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-stale-pool-'));
    const runtime = path.join(dir, 'run');
    const config = path.join(dir, 'config', 'nofear', 'config.ini');
    mkdirSync(runtime, { mode: 0o700 });
    mkdirSync(path.dirname(config), { recursive: true });
    x = await startXvfb();
    bus = await startPrivateBus(dir, {}, { activation: false });
    writeFileSync(config, '[pool]\nsize = 1\n[gui]\nclipboard = off\n');
    service = startForegroundService({ DBUS_SESSION_BUS_ADDRESS: bus.address, DISPLAY: x.display, XDG_RUNTIME_DIR: runtime, XDG_CONFIG_HOME: path.join(dir, 'config') });
    await service.waitForLine(/serving org\.nofear\.NoFear/, 30_000);
    const ready = /warm VM ([0-9a-f]{8}) ready$/;
    const stale = ready.exec(await service.waitForLine(ready, VM_MS))?.[1] ?? '';
    assert.ok(clientArgvOf(stale).includes('--clipboard=no'), `the first warm VM's client: ${clientArgvOf(stale).join(' ')}`);

    const seen = service.lines.length;
    writeFileSync(config, '[pool]\nsize = 1\n[gui]\nclipboard = to-guest\n');
    await service.waitForLine(new RegExp(`warm VM ${stale} stopped: its \\[vm\\] or \\[gui\\] settings are no longer the configured ones`), 60_000, seen);
    const fresh = ready.exec(await service.waitForLine(ready, VM_MS, seen))?.[1] ?? '';
    assert.notEqual(fresh, stale);
    assert.equal(existsSync(path.join(runtime, 'nofear', stale)), false, 'the stale VM left its sandbox dir');
    assert.ok(clientArgvOf(fresh).includes('--clipboard=yes'), `the new warm VM's client: ${clientArgvOf(fresh).join(' ')}`);
  });
});
