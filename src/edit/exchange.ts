// Swapping two names in one step: renameat2(RENAME_EXCHANGE), which Node lacks. Python's ctypes calls it
// (the system Python, isolated: -I -S; it is there wherever Xpra is), as a supervised child with a deadline. After the swap the helper
// lists the extended attributes of what is now at the first name (the original's), so the caller can say
// what a saved-back edit does not carry over (ACLs, other attributes).
import { runTool } from '../util/run.js';

const SWAP = String.raw`
import ctypes, errno, json, os, sys
libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD, RENAME_EXCHANGE = -100, 2
if libc.renameat2(AT_FDCWD, os.fsencode(sys.argv[1]), AT_FDCWD, os.fsencode(sys.argv[2]), RENAME_EXCHANGE) != 0:
    code = ctypes.get_errno()
    sys.stderr.write(os.strerror(code) + "\n")
    sys.exit(3 if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP) else 1)
try:
    names = os.listxattr(sys.argv[1], follow_symlinks=False)
except OSError:
    names = []
print(json.dumps(names))
`;

export type Swap = { swapped: true; originalXattrs: string[] } | { swapped: false; unsupported: true };

/** Swaps `a` and `b`; { swapped: false } where the filesystem (or the C library) cannot. Other failures throw. */
export async function exchangeFiles(a: string, b: string): Promise<Swap> {
  const result = await runTool('/usr/bin/python3', ['-I', '-S', '-c', SWAP, a, b], { timeoutMs: 10_000 });
  if (result.exitCode === 0) {
    const names = JSON.parse(result.stdout || '[]') as unknown;
    return { swapped: true, originalXattrs: Array.isArray(names) ? names.filter((name): name is string => typeof name === 'string') : [] };
  }
  if (result.exitCode === 3) return { swapped: false, unsupported: true };
  throw new Error(`cannot swap ${b} with the saved edit: ${result.timedOut ? 'it took over 10 s' : result.stderr.trim() || `status ${String(result.exitCode)}`}`);
}

/** What a new file renamed over the original does not keep, in words (empty: nothing of note). */
export function notCarriedOver(links: number, xattrs: readonly string[]): string[] {
  const lost: string[] = [];
  if (links > 1) lost.push(`its ${links - 1} other hard link${links === 2 ? '' : 's'} (they keep the old content)`);
  if (xattrs.some((name) => name.startsWith('system.posix_acl'))) lost.push('its ACL');
  // NoFear's own marks (user.nofear.*) are not the user's loss: the saved edit carries its own mark.
  const others = xattrs.filter((name) => !name.startsWith('system.posix_acl') && !name.startsWith('user.nofear.'));
  if (others.length > 0) lost.push(`its extended attributes (${others.slice(0, 5).join(', ')}${others.length > 5 ? ', …' : ''})`);
  return lost;
}
