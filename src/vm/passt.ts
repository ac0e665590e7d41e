// User networking through passt with --no-map-gw: the guest reaches the outside world but not the
// host's loopback services, which QEMU's own slirp maps to 10.0.2.2. QEMU talks to passt over a unix
// socket in the sandbox's runtime dir, so the jailed QEMU needs no network namespace at all.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { unavailable } from '../errors.js';
import { exitOf, stopGroup } from '../util/child.js';
import { findExecutable } from '../util/which.js';

/** The addresses the guest's init configures statically (as with slirp), served by passt. */
export function passtArgv(passt: string, socket: string): string[] {
  // prettier-ignore
  return [
    passt,
    '--foreground',
    '--one-off',
    '--socket', socket,
    '--no-map-gw',
    '--address', '10.0.2.15',
    '--netmask', '24',
    '--gateway', '10.0.2.2',
    '--dns-forward', '10.0.2.3',
    '--quiet',
    // As root passt would switch to nobody, who cannot reach the 0700 runtime dir: stay who we are.
    '--runas', `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`,
  ];
}

export function findPasst(env: NodeJS.ProcessEnv): string | undefined {
  return findExecutable(env.NOFEAR_PASST ?? 'passt', env);
}

export class Passt {
  private constructor(
    private readonly child: ChildProcess,
    readonly socket: string,
  ) {}

  static async start(passt: string, socket: string, setpriv: string): Promise<Passt> {
    const child = spawn(setpriv, ['--pdeathsig', 'KILL', '--', ...passtArgv(passt, socket)], { detached: true, stdio: 'ignore' });
    const instance = new Passt(child, socket);
    const deadline = Date.now() + 5000;
    while (!existsSync(socket)) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await instance.stop();
        throw unavailable('passt (user networking without host loopback) did not start.', 'sudo apt-get install passt, or run without --net user');
      }
      await delay(10);
    }
    return instance;
  }

  async stop(): Promise<void> {
    await stopGroup(this.child.pid, exitOf(this.child));
  }
}
