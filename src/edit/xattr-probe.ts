// Whether a directory's filesystem takes user extended attributes: QEMU's mapped-xattr model stores what
// the guest writes there (owners, modes, device nodes, symlinks) as user.virtfs.* attributes, and without
// them every file the guest creates fails. Node has no xattr call: the system Python does it (it is there
// wherever Xpra is).
import { unavailable } from '../errors.js';
import { runTool } from '../util/run.js';

const PROBE = [
  'import os, sys',
  'path = os.path.join(sys.argv[1], ".nofear-xattr-probe")',
  'open(path, "x").close()',
  'try:',
  '    os.setxattr(path, "user.nofear.probe", b"1")',
  'finally:',
  '    os.unlink(path)',
].join('\n');

export async function checkUserXattrs(dir: string, python = '/usr/bin/python3'): Promise<void> {
  const result = await runTool(python, ['-I', '-S', '-c', PROBE, dir], { timeoutMs: 10_000 });
  if (!result.failed) return;
  const why = result.stderr.trim().split('\n').at(-1) ?? '';
  throw unavailable(
    `An edited copy must be staged where the filesystem takes user extended attributes (what the VM writes is kept as attributes there, never as real devices or owners), and ${dir} does not (${why || `python3 exited ${result.exitCode ?? 'abnormally'}`}).`,
    'set XDG_CACHE_HOME to a directory on ext4, XFS or Btrfs (or mount this one with user_xattr)',
  );
}
