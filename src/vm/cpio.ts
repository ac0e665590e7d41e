// Writes a cpio archive in the kernel's "newc" format: the initramfs, built without the cpio tool.

export type CpioEntry =
  | { kind: 'dir'; path: string; mode: number }
  /** mtime: seconds; kept for copies of host files whose readers compare times (fontconfig's caches). */
  | { kind: 'file'; path: string; mode: number; data: Buffer; mtime?: number }
  | { kind: 'symlink'; path: string; target: string };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}

function pad4(length: number): Buffer {
  return Buffer.alloc((4 - (length % 4)) % 4);
}

function header(ino: number, mode: number, size: number, name: string, mtime = 0): Buffer {
  const nameBytes = Buffer.from(`${name}\0`);
  const fields = [
    '070701',
    hex8(ino),
    hex8(mode),
    hex8(0), // uid: root, whoever builds it
    hex8(0), // gid
    hex8(1), // nlink
    hex8(mtime), // 0 unless given: keeps the archive reproducible
    hex8(size),
    hex8(0),
    hex8(0),
    hex8(0),
    hex8(0), // dev and rdev
    hex8(nameBytes.length),
    hex8(0), // check
  ].join('');
  const head = Buffer.concat([Buffer.from(fields, 'ascii'), nameBytes]);
  return Buffer.concat([head, pad4(head.length)]);
}

/** The archive, entries in the order given (parents must come before children). */
export function buildCpio(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  for (const entry of entries) {
    const name = entry.path.replace(/^\/+/, '');
    if (name === '' || name.split('/').includes('..')) throw new Error(`cpio: bad path ${entry.path}`);
    let mode: number;
    let data: Buffer;
    let mtime = 0;
    switch (entry.kind) {
      case 'dir':
        mode = S_IFDIR | entry.mode;
        data = Buffer.alloc(0);
        break;
      case 'file':
        mode = S_IFREG | entry.mode;
        data = entry.data;
        mtime = Math.max(0, Math.floor(entry.mtime ?? 0));
        break;
      case 'symlink':
        mode = S_IFLNK | 0o777;
        data = Buffer.from(entry.target);
        break;
    }
    parts.push(header(ino++, mode, data.length, name, mtime), data, pad4(data.length));
  }
  parts.push(header(ino, 0, 0, 'TRAILER!!!'));
  return Buffer.concat(parts);
}
