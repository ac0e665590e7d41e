// The host Xpra client's jail: bubblewrap's argv around the client's command. The client parses
// everything a hostile guest sends, so it gets no network, no session or system bus, no home, a
// host name that is not the host's, no new namespaces and a seccomp filter; it sees the system's
// programs and libraries read-only, what GTK reads to draw, the X display's socket and cookie, and
// the sandbox's GUI socket. Never the sound server's socket or cookie: with sound, the client writes
// PCM to a pipe it inherits (src/gui/speaker.ts). Pure.
import { FRESH_PROC_DEV_TMP } from '../vm/jail.js';
import { jailedDisplay, type ParsedDisplay, X11_SOCKET_DIR } from './x11-display.js';

/** Where things are inside the jail (no host path, so nothing names the host's user). */
export const JAIL = {
  wrapperDir: '/nofear/gui',
  guiSocket: '/run/nofear/gui.sock',
  home: '/tmp/home',
  runtimeDir: '/tmp/runtime',
  xauthority: '/tmp/.Xauthority',
  hostname: 'nofear',
} as const;

/** Host files GTK and fontconfig read to draw, bound read-only where they exist. Not /etc/passwd,
 * /etc/machine-id, /etc/hostname or anything else that names the host or its user. */
export const DRAWING_FILES = ['/etc/fonts', '/etc/ld.so.cache', '/etc/gtk-3.0', '/etc/alternatives', '/var/cache/fontconfig'] as const;

export interface ClientJailSpec {
  bwrap: string;
  /** bwrap's arguments for /usr, /bin, /lib, /lib64, /sbin (src/vm/jail.ts systemBinds). */
  systemBinds: readonly string[];
  /** The directory of xpra-client.py and its nofear_xpra package, on the host. */
  wrapperDir: string;
  /** The sandbox's GUI socket (QEMU's end of the guest's Xpra server), on the host. */
  guiSocket: string;
  /** The display's socket, or NoFear's relay to it, on the host. */
  xSocket: string;
  display: ParsedDisplay;
  /** Descriptors bwrap reads before it starts the client: the seccomp program, the X cookie. */
  fds: { seccomp: number; xauthority?: number };
  /** Variables the client gets besides the jail's own (LANG, NOFEAR_*, XPRA_*). */
  env: Readonly<Record<string, string>>;
  /** The client's command, with paths as the jail sees them (JAIL.wrapperDir, JAIL.guiSocket). */
  command: readonly string[];
}

export function namespaces(): string[] {
  // prettier-ignore
  return [
    '--die-with-parent',
    '--unshare-user', '--disable-userns', // and no user namespace of its own making inside
    '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--hostname', JAIL.hostname, '--unshare-cgroup-try',
    '--unshare-net', // no network; this also hides the host's abstract unix sockets (D-Bus, X11)
    '--new-session', // no TIOCSTI into a terminal NoFear was started from
    '--cap-drop', 'ALL',
  ];
}

function environment(spec: ClientJailSpec): string[] {
  const env: Record<string, string> = {
    ...spec.env,
    PATH: '/usr/bin:/bin',
    HOME: JAIL.home,
    XDG_RUNTIME_DIR: JAIL.runtimeDir,
    DISPLAY: jailedDisplay(spec.display),
    ...(spec.fds.xauthority === undefined ? {} : { XAUTHORITY: JAIL.xauthority }),
    GDK_BACKEND: 'x11', // XWayland too: the client is an X11 client
    NO_AT_BRIDGE: '1', // GTK's accessibility bridge would look for the session bus
    GSETTINGS_BACKEND: 'memory', // dconf needs the session bus and a home
    GIO_USE_VFS: 'local',
  };
  return ['--clearenv', ...Object.entries(env).flatMap(([name, value]) => ['--setenv', name, value])];
}

function files(spec: ClientJailSpec): string[] {
  // prettier-ignore
  return [
    ...spec.systemBinds,
    ...FRESH_PROC_DEV_TMP,
    '--dir', JAIL.home,
    '--perms', '0700', '--dir', JAIL.runtimeDir,
    ...DRAWING_FILES.flatMap((file) => ['--ro-bind-try', file, file]),
    '--ro-bind', spec.wrapperDir, JAIL.wrapperDir,
    '--ro-bind', spec.guiSocket, JAIL.guiSocket,
    '--ro-bind', spec.xSocket, `${X11_SOCKET_DIR}/X${spec.display.number}`,
    ...(spec.fds.xauthority === undefined ? [] : ['--perms', '0400', '--ro-bind-data', String(spec.fds.xauthority), JAIL.xauthority]),
  ];
}

export function buildClientJailArgv(spec: ClientJailSpec): string[] {
  // prettier-ignore
  return [
    spec.bwrap,
    ...namespaces(),
    ...environment(spec),
    ...files(spec),
    '--seccomp', String(spec.fds.seccomp),
    '--chdir', '/',
    '--',
    ...spec.command,
  ];
}
