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

/**
 * `[links] lan = no`: passt runs inside a network namespace of its own that pasta (from the same package)
 * connects to the host's network, with no port forwarded either way. In there the private ranges, the
 * local network's own prefixes and every address of this host are blackhole routes, and the default route
 * is kept on-link, so the guest reaches the internet and nothing near the host. Needs no privilege: the
 * namespace belongs to a user namespace of the caller's.
 */
export const LAN_FENCE_SCRIPT = [
  'set -e',
  'gw4=$(ip -4 route show default | sed -n "s/^default via \\([^ ]*\\) dev \\([^ ]*\\).*/\\1 \\2/p" | head -n 1)',
  'gw6=$(ip -6 route show default | sed -n "s/^default via \\([^ ]*\\) dev \\([^ ]*\\).*/\\1 \\2/p" | head -n 1)',
  'if [ -n "$gw4" ]; then ip -4 route replace default via "${gw4% *}" dev "${gw4#* }" onlink; fi',
  'if [ -n "$gw6" ]; then ip -6 route replace default via "${gw6% *}" dev "${gw6#* }" onlink; fi',
  'for net in $(ip -4 route show scope link | cut -d" " -f1) $NOFEAR_FENCE4; do ip -4 route del "$net" 2>/dev/null || true; ip -4 route add blackhole "$net" 2>/dev/null || true; done',
  'for net in $(ip -6 route show proto kernel | cut -d" " -f1 | grep -v "^fe80") $NOFEAR_FENCE6; do ip -6 route del "$net" 2>/dev/null || true; ip -6 route add blackhole "$net" 2>/dev/null || true; done',
  'exec "$0" "$@"',
].join('\n');

/** Private, shared, link-local and documentation ranges: none of them is the internet. */
export const FENCED_RANGES = {
  v4: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10', '192.0.0.0/24', '192.0.2.0/24', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24'],
  v6: ['fc00::/7', 'fec0::/10', '2001:db8::/32'],
};

/** Pure: pasta, then the fence script, then passt's own argv; the host's addresses fenced one by one. */
export function lanFencedArgv(pasta: string, passt: readonly string[], hostAddresses: readonly string[]): { argv: string[]; env: Record<string, string> } {
  const v4 = [...FENCED_RANGES.v4, ...hostAddresses.filter((a) => !a.includes(':')).map((a) => `${a}/32`)];
  const v6 = [...FENCED_RANGES.v6, ...hostAddresses.filter((a) => a.includes(':') && !a.startsWith('fe80')).map((a) => `${a}/128`)];
  // prettier-ignore
  const argv = [
    pasta,
    '--config-net',
    '--no-map-gw',
    '--quiet',
    '--foreground',
    '-t', 'none', '-u', 'none', '-T', 'none', '-U', 'none',
    '--',
    '/bin/sh', '-c', LAN_FENCE_SCRIPT,
    // Inside pasta's user namespace the caller is root and no other uid exists: passt stays root there.
    ...passt.map((arg, i) => (passt[i - 1] === '--runas' ? '0:0' : arg)),
  ];
  return { argv, env: { NOFEAR_FENCE4: v4.join(' '), NOFEAR_FENCE6: v6.join(' '), PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } };
}

/** What `[links] lan = no` needs: pasta, and the host's own addresses to fence off one by one. */
export interface LanFence {
  pasta: string;
  hostAddresses: readonly string[];
}

export function findPasta(env: NodeJS.ProcessEnv): string | undefined {
  return findExecutable(env.NOFEAR_PASTA ?? 'pasta', env);
}

export function findPasst(env: NodeJS.ProcessEnv): string | undefined {
  return findExecutable(env.NOFEAR_PASST ?? 'passt', env);
}

export class Passt {
  private constructor(
    private readonly child: ChildProcess,
    readonly socket: string,
  ) {}

  /** passt on the host's network; with `fence`, in a namespace of its own that reaches the internet only. */
  static async start(passt: string, socket: string, setpriv: string, fence?: LanFence): Promise<Passt> {
    const own = passtArgv(passt, socket);
    const fenced = fence === undefined ? undefined : lanFencedArgv(fence.pasta, own, fence.hostAddresses);
    // pasta and the fence script end with passt (the script execs it): the group is passt's whole tree.
    const child = spawn(setpriv, ['--pdeathsig', 'KILL', '--', ...(fenced?.argv ?? own)], {
      detached: true,
      stdio: 'ignore',
      ...(fenced === undefined ? {} : { env: fenced.env }),
    });
    const instance = new Passt(child, socket);
    // pasta first makes its namespaces and configures their network: seconds, not milliseconds, on a busy host.
    const deadline = Date.now() + (fence === undefined ? 5000 : 30_000);
    while (!existsSync(socket)) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await instance.stop();
        throw fence === undefined
          ? unavailable('passt (user networking without host loopback) did not start.', 'sudo apt-get install passt, or run without --net user')
          : unavailable(
              'passt fenced off the local network ([links] lan = no) did not start: pasta could not make its network namespace (are unprivileged user namespaces allowed? sysctl kernel.unprivileged_userns_clone, user.max_user_namespaces).',
              'allow unprivileged user namespaces, or set [links] lan = yes',
            );
      }
      await delay(10);
    }
    return instance;
  }

  async stop(): Promise<void> {
    await stopGroup(this.child.pid, exitOf(this.child));
  }
}
