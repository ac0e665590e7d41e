// Closes the descriptors this process inherited by accident, before it starts any child: every child
// NoFear starts (QEMU through bwrap and prlimit, passt, the Xpra client, helpers) must get only the
// descriptors NoFear hands it. Node never sets close-on-exec on a descriptor it inherited, and neither
// bwrap nor setpriv nor prlimit closes them, so `exec 20</home/victim` before `nofear` gave QEMU, inside
// its jail, /proc/self/fd/20 onto the victim's home.
//
// Why here and not in the exec path (close_range between fork and exec): Node runs no code of ours in the
// child, and none of the tools in the chain closes descriptors. Everything Node and libuv open themselves
// carries O_CLOEXEC (measured: the event loop's epoll, eventfds and signal pipes, every fs.open and
// socket), so once the inherited ones are closed at the start, no descriptor can cross by accident.
import { closeSync, readdirSync, readFileSync } from 'node:fs';

const O_CLOEXEC = 0o2000000;

/** The descriptor's open flags from /proc/self/fdinfo (octal), or undefined when it is gone. */
function openFlags(fd: number): number | undefined {
  try {
    const match = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
    return match?.[1] === undefined ? undefined : parseInt(match[1], 8);
  } catch {
    return undefined; // closed meanwhile (the directory listing's own descriptor is one)
  }
}

/**
 * Closes every descriptor >= 3 without close-on-exec, except Node's IPC channel (NODE_CHANNEL_FD, which a
 * parent opened on purpose). Call it first in each entry point, before anything is spawned. Returns the
 * descriptors it closed. Synchronous, so nothing else opens a descriptor while it looks.
 */
export function closeInheritedDescriptors(env: NodeJS.ProcessEnv = process.env): number[] {
  const keep = new Set([0, 1, 2]);
  const channel = Number(env.NODE_CHANNEL_FD);
  if (env.NODE_CHANNEL_FD !== undefined && Number.isInteger(channel)) keep.add(channel);
  let names: string[];
  try {
    names = readdirSync('/proc/self/fd');
  } catch {
    return []; // no /proc: NoFear does not run there anyway (it needs it for QEMU's jail)
  }
  const closed: number[] = [];
  for (const fd of names.map(Number)) {
    if (!Number.isInteger(fd) || keep.has(fd)) continue;
    const flags = openFlags(fd);
    // Descriptors Node opened carry O_CLOEXEC; one without it came from whoever started us.
    if (flags === undefined || (flags & O_CLOEXEC) !== 0) continue;
    try {
      closeSync(fd);
      closed.push(fd);
    } catch {
      // already closed: nothing left to leak
    }
  }
  return closed;
}
