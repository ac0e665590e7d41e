import assert from 'node:assert/strict';
import { buildClientJailArgv, JAIL, type ClientJailSpec } from '../../../src/gui/client-jail.js';

const spec: ClientJailSpec = {
  bwrap: '/usr/bin/bwrap',
  systemBinds: ['--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin'],
  wrapperDir: '/home/u/nofear/src/gui',
  guiSocket: '/run/user/1000/nofear/0123abcd/gui.sock',
  xSocket: '/tmp/.X11-unix/X0',
  display: { host: '', number: 0, screen: '.0' },
  fds: { seccomp: 4, xauthority: 5 },
  env: { LANG: 'C.UTF-8', NOFEAR_REPORT_FD: '3' },
  command: ['/usr/bin/python3', '/nofear/gui/xpra-client.py', 'attach', 'socket:///run/nofear/gui.sock'],
};

/** bwrap's (source, target) pairs for an option that takes two arguments. */
function pairs(argv: string[], option: string): Array<[string, string]> {
  return argv.flatMap((arg, i) => (arg === option ? [[argv[i + 1] ?? '', argv[i + 2] ?? ''] as [string, string]] : []));
}

function env(argv: string[]): Record<string, string> {
  return Object.fromEntries(pairs(argv, '--setenv'));
}

describe("the Xpra client's jail", () => {
  const argv = buildClientJailArgv(spec);

  it('gives the client its own namespaces, no network, no new user namespaces, a filter, and its death with NoFear', () => {
    assert.equal(argv[0], '/usr/bin/bwrap');
    for (const flag of ['--die-with-parent', '--unshare-user', '--disable-userns', '--unshare-pid', '--unshare-net', '--unshare-ipc', '--unshare-uts', '--new-session', '--clearenv']) {
      assert.ok(argv.includes(flag), flag);
    }
    assert.equal(argv.includes('--share-net'), false);
    assert.equal(argv[argv.indexOf('--hostname') + 1], 'nofear');
    assert.equal(argv[argv.indexOf('--seccomp') + 1], '4');
    assert.ok(argv.indexOf('--clearenv') < argv.indexOf('--setenv'), 'the environment is cleared before it is set');
  });
  it('binds the display socket, the GUI socket and the wrapper, read-only, at paths that name nothing of the host', () => {
    assert.deepEqual(
      pairs(argv, '--ro-bind').filter(([source]) => !source.startsWith('/usr')),
      [
        ['/home/u/nofear/src/gui', JAIL.wrapperDir],
        ['/run/user/1000/nofear/0123abcd/gui.sock', JAIL.guiSocket],
        ['/tmp/.X11-unix/X0', '/tmp/.X11-unix/X0'],
      ],
    );
    assert.deepEqual(pairs(argv, '--ro-bind-data'), [['5', JAIL.xauthority]]);
    assert.deepEqual(pairs(argv, '--bind'), [], 'nothing of the host is writable');
  });
  it('shows no home, no bus, no passwd and no machine id', () => {
    const targets = [...pairs(argv, '--ro-bind'), ...pairs(argv, '--ro-bind-try')].map(([, target]) => target);
    for (const target of targets) assert.doesNotMatch(target, /^\/(home|root|run\/user|run\/dbus|etc\/(passwd|shadow|machine-id|hostname)$)/, target);
    const variables = env(argv);
    assert.equal(variables.DBUS_SESSION_BUS_ADDRESS, undefined);
    assert.equal(variables.HOME, JAIL.home);
    assert.equal(variables.DISPLAY, ':0.0');
    assert.equal(variables.XAUTHORITY, JAIL.xauthority);
    assert.equal(variables.NOFEAR_REPORT_FD, '3');
  });
  it('runs the command last, after --', () => {
    assert.deepEqual(argv.slice(argv.indexOf('--') + 1), spec.command);
  });
  it('sets no XAUTHORITY without a cookie', () => {
    const bare = buildClientJailArgv({ ...spec, fds: { seccomp: 4 } });
    assert.equal(env(bare).XAUTHORITY, undefined);
    assert.deepEqual(pairs(bare, '--ro-bind-data'), []);
  });
  it("with sound, gives the client only its PCM pipe's number: never the sound server's socket, cookie or address", () => {
    const sound = buildClientJailArgv({ ...spec, env: { ...spec.env, NOFEAR_SOUND_FD: '6' } });
    assert.equal(env(sound).NOFEAR_SOUND_FD, '6');
    assert.deepEqual(
      Object.keys(env(sound)).filter((name) => /PULSE|PIPEWIRE|ALSA|AUDIO/.test(name)),
      [],
    );
    assert.equal(
      sound.some((arg) => /pulse|pipewire|\/snd\b|cookie/i.test(arg)),
      false,
      'no sound server socket, cookie or sound device in the jail',
    );
    assert.deepEqual(pairs(sound, '--ro-bind-data'), [['5', JAIL.xauthority]]);
  });
});
