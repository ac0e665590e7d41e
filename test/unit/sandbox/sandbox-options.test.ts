// The one place a sandbox's shape, job and hooks are built from config.ini and a request: what the request
// leaves out comes from config.ini, what it says wins, and the job's user, cwd and environment follow it.
import assert from 'node:assert/strict';
import { defaultConfig, type Config } from '../../../src/config/index.js';
import { GUEST_DISPLAY, hooksFor, listenersOf, sandboxOptionsFrom, type SandboxHooks } from '../../../src/sandbox/sandbox-options.js';

const HOOKS: SandboxHooks = { hostEnv: { LANG: 'de_DE.UTF-8', TERM: 'xterm-256color' }, ownerKind: 'cli' };

function config(vm: Partial<Config['vm']> = {}): Config {
  const base = defaultConfig();
  return { ...base, vm: { ...base.vm, memoryMiB: 1536, cpus: 3, net: 'none', tbSizeMiB: 128, ...vm } };
}

describe('sandbox options (config.ini and a request)', () => {
  it("fills what the request leaves out from config.ini, and leaves the accelerator to the probe when it is 'auto'", () => {
    const { shape, job, hooks } = sandboxOptionsFrom(config({ accel: 'auto' }), { argv: ['ls', '-l'], profile: 'temporary', stdio: 'pipe' }, HOOKS);
    assert.deepEqual(shape, { profile: 'temporary', memoryMiB: 1536, cpus: 3, net: 'none', tbSizeMiB: 128, stdio: 'pipe', gui: false, sound: false });
    assert.equal(job.user, 'user');
    assert.equal(job.cwd, undefined);
    assert.deepEqual(job.argv, ['ls', '-l']);
    assert.equal(job.env.HOME, '/home/user');
    assert.equal(job.env.DISPLAY, undefined);
    assert.equal(job.env.TERM, 'dumb'); // not interactive: no host TERM
    assert.equal(hooks, HOOKS);
  });

  it('lets the request win over config.ini, and passes an accelerator config.ini names', () => {
    const request = { argv: ['sh'], profile: 'work', disk: '/d/disk.img', stdio: 'tty' as const, memoryMiB: 512, cpus: 1, net: 'user' as const, sound: true };
    const { shape } = sandboxOptionsFrom(config({ accel: 'kvm' }), request, HOOKS);
    assert.deepEqual(shape, { profile: 'work', disk: '/d/disk.img', memoryMiB: 512, cpus: 1, net: 'user', tbSizeMiB: 128, accel: 'kvm', stdio: 'tty', gui: false, sound: true });
  });

  it("runs as root with root's home, in /shared with a shared folder, on the guest display with --gui, with the host TERM when interactive", () => {
    const { shape, job } = sandboxOptionsFrom(
      config(),
      { argv: ['xterm'], profile: 'temporary', stdio: 'tty', root: true, gui: true, interactive: true, sharedFolder: '/home/u/share', winsize: { rows: 40, cols: 120 }, endMarker: 'END' },
      HOOKS,
    );
    assert.equal(job.user, 'root');
    assert.equal(job.env.HOME, '/root');
    assert.equal(job.cwd, '/shared');
    assert.equal(job.env.DISPLAY, GUEST_DISPLAY);
    assert.equal(job.env.TERM, 'xterm-256color');
    assert.deepEqual(job.winsize, { rows: 40, cols: 120 });
    assert.equal(job.endMarker, 'END');
    assert.equal(shape.sharedFolder, '/home/u/share');
    assert.equal(shape.gui, true);
  });

  it('builds hooks from a run context, carrying only what the context has', () => {
    const log = () => {};
    const abort = new AbortController().signal;
    assert.deepEqual(hooksFor({ config: config(), env: { A: '1' }, ownerKind: 'service' }, ['/f/a.pdf']), { hostEnv: { A: '1' }, ownerKind: 'service', files: ['/f/a.pdf'] });
    assert.deepEqual(hooksFor({ config: config(), env: {}, ownerKind: 'cli', id: 'abcd0123', log, abort }, []), { hostEnv: {}, ownerKind: 'cli', files: [], id: 'abcd0123', log, abort });
  });

  it("carries a context's notices and abort, only those it has, and never its id (a conversion's second VM gets its own)", () => {
    const log = () => {};
    const warn = () => {};
    const abort = new AbortController().signal;
    assert.deepEqual(listenersOf({ config: config(), env: { A: '1' }, ownerKind: 'service', id: 'abcd0123', log, warn, abort }), { log, warn, abort });
    assert.deepEqual(Object.keys(listenersOf({ config: config(), env: {}, ownerKind: 'cli', warn })), ['warn']);
  });
});
