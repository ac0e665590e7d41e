import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { privateDisplayArgv } from '../../../src/demo/private-display.js';
import { pidRuns } from '../../../src/util/owned-dirs.js';
import { pollUntil } from '../../../src/util/poll.js';
import { EventWaits } from '../../helpers/event-waits.js';

const MODULE = fileURLToPath(new URL('../../../src/demo/private-display.ts', import.meta.url));

describe('the private display (demo/private-display)', () => {
  it('runs Xvfb under a parent-death signal when setpriv exists, and plainly when not', () => {
    assert.deepEqual(privateDisplayArgv(['-nolisten', 'tcp'], '/usr/bin/setpriv'), [
      '/usr/bin/setpriv',
      '--pdeathsig',
      'TERM',
      '--',
      'Xvfb',
      '-displayfd',
      '3',
      '-screen',
      '0',
      '1280x900x24',
      '-nolisten',
      'tcp',
    ]);
    assert.deepEqual(privateDisplayArgv([], null).slice(0, 2), ['Xvfb', '-displayfd']);
  });

  it('leaves no X server, socket or lock behind when the process that started it is killed', async function () {
    this.timeout(60_000);
    // A real Xvfb, started by a Node process that is then SIGKILLed (no chance to stop it): before, the
    // detached Xvfb lived on, holding its display, until someone found it.
    const script = `const { startPrivateDisplay } = await import(${JSON.stringify(MODULE)}); const d = await startPrivateDisplay(); const { execSync } = await import('node:child_process'); console.log(execSync('pgrep -P ' + process.pid + ' -x Xvfb').toString().trim() + ' ' + d.display); setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const parentGone = new Promise((resolve) => parent.once('exit', resolve));
    const waits = new EventWaits();
    let line = '';
    parent.stdout.on('data', (chunk: Buffer) => {
      line += chunk.toString();
      waits.wake();
    });
    await waits.until(() => (line.includes('\n') ? true : undefined), 'the display to start', 30_000, parentGone);
    const pid = Number(line.split(' ')[0]);
    assert.ok(pid > 0 && pidRuns(pid), `Xvfb running: ${line}`);
    parent.kill('SIGKILL');
    await parentGone;
    // Xvfb is not this process's child: nothing announces its end, so it is polled for, with a deadline.
    assert.equal(await pollUntil(() => !pidRuns(pid), 10_000), true, 'Xvfb outlived the process that started it');
    // Ended by SIGTERM, it took its socket and lock with it: a stale socket refuses the next display of that number.
    const number = line.trim().split(':')[1];
    assert.equal(existsSync(`/tmp/.X11-unix/X${number}`), false, 'its socket was left in /tmp/.X11-unix');
    assert.equal(existsSync(`/tmp/.X${number}-lock`), false, 'its lock file was left');
  });
});
