// The guest's Xpra server start (src/guest/agent.sh's command line and environment, src/guest/xpra.conf),
// run on the host: the guest's /usr is the host's, so this is the Xpra 3.1 the guest runs. Only the guest's
// paths point elsewhere: no-probe.sh's copies (the initramfs's /.nofear/xpra-probes) and, for the job's
// PATH, a directory of recorders in front of /usr/bin that log any run of the programs Xpra probes the
// system with (lsb_release, file, uname, xprop). NoFear's xpra.conf is read as the user's own (the
// guest has it as /etc/xpra/xpra.conf, which a test cannot replace) under a name no system file has.
// Against agent.sh without the probe stubs and XPRA_UINPUT=0, the recorders log all four.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { busyboxPath, GUEST_DIR, GUEST_FILES } from '../../../src/vm/initramfs.js';
import { startXvfb, type Display } from '../../helpers/xvfb.js';

const PROBED = ['lsb_release', 'file', 'uname', 'xprop'];
const CONF_NAME = 'nofear-guest-xpra.conf';

/** agent.sh's `xpra start` line: the variables it sets and the server's arguments. */
function agentServerCommand(): { env: Record<string, string>; args: string[] } {
  const agent = readFileSync(path.join(GUEST_DIR, 'agent.sh'), 'utf8');
  const line = /^\s*\(((?:[A-Z][A-Z0-9_]*=\S+ )+)exec \$guidrop xpra start (.+)\)$/m.exec(agent);
  assert.ok(line, "agent.sh's xpra start line not found");
  const env = Object.fromEntries(
    (line[1] ?? '')
      .trim()
      .split(' ')
      .map((word) => [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1).replace(/^'(.*)'$/, '$1')]),
  );
  return { env, args: (line[2] ?? '').split(' ') };
}

describe("the guest's Xpra server start (agent.sh, xpra.conf)", function () {
  this.timeout(90_000); // the server starts in well under a second natively, seconds on a busy machine
  let dir: string;
  let x: Display;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-xpra-start-'));
    x = await startXvfb();
  });
  after(async () => {
    await x?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens and serves without running lsb_release, file, uname or xprop', async () => {
    const stubs = path.join(dir, 'xpra-probes');
    mkdirSync(stubs);
    const stub = readFileSync(path.join(GUEST_DIR, 'no-probe.sh'), 'utf8').replace(/^#!\/\.bb\/busybox sh/, `#!${busyboxPath(process.env)} sh`);
    const stubbed = GUEST_FILES.filter(([source]) => source === 'no-probe.sh').map(([, target]) => target);
    assert.ok(stubbed.length > 0);
    for (const target of stubbed) writeFileSync(path.join(stubs, path.basename(target)), stub, { mode: 0o755 });
    const recorders = path.join(dir, 'recorders');
    const runs = path.join(dir, 'probes.log');
    mkdirSync(recorders);
    for (const name of PROBED) writeFileSync(path.join(recorders, name), `#!/bin/sh\necho "${name} $*" >>'${runs}'\nexec /usr/bin/${name} "$@"\n`, { mode: 0o755 });
    const home = path.join(dir, 'home');
    mkdirSync(path.join(home, '.config', 'xpra'), { recursive: true });
    // Sockets in the test's directory: the guest's /run/user/1000 is not the host's.
    const conf = readFileSync(path.join(GUEST_DIR, 'xpra.conf'), 'utf8').replace(/^socket-dirs = .*$/m, `socket-dirs = ${dir}`);
    writeFileSync(path.join(home, '.config', 'xpra', CONF_NAME), conf);

    const socket = path.join(dir, 'xpra.sock');
    const { env: agentEnv, args } = agentServerCommand();
    const env = {
      ...agentEnv,
      PATH: (agentEnv.PATH ?? '').replace('/.nofear/xpra-probes', stubs).replace('$jobpath', `${recorders}:/usr/bin:/bin`),
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_RUNTIME_DIR: dir,
      LANG: 'C.UTF-8',
      XPRA_CONF_FILENAME: CONF_NAME,
    };
    const argv = args.filter((arg) => arg !== '$xpra_extra').map((arg) => arg.replace(':100', x.display).replace('"$XPRA_SOCKET"', socket));
    const server = execa('xpra', ['start', ...argv], { env, extendEnv: false, reject: false, all: true, timeout: 80_000, detached: true });
    try {
      // print_run_info is the last of the server's start: it ran lsb_release on the main loop.
      await new Promise<void>((resolve, reject) => {
        let seen = '';
        server.all?.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          if (/running with pid \d+ on /.test(seen) && existsSync(socket)) resolve();
        });
        void server.then((result) => reject(new Error(`the server ended (${result.exitCode ?? result.signal}) before it was ready:\n${seen}`)));
      });
    } finally {
      // Its exit waits for its initialisation thread, which asks for the platform's description too.
      if (server.pid !== undefined) process.kill(-server.pid, 'SIGINT');
      await server;
    }
    const probed = existsSync(runs) ? readFileSync(runs, 'utf8') : '';
    assert.equal(probed, '', `the server ran its probes:\n${probed}`);
  });
});
