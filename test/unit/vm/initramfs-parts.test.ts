import assert from 'node:assert/strict';
import { buildCpio } from '../../../src/vm/cpio.js';
import { parseModinfoDepends, parseModulesBuiltin, resolveLoadOrder } from '../../../src/vm/modules.js';
import { hasPvhNote, withoutTrailingZeros } from '../../../src/vm/vmlinux.js';

describe('buildCpio', () => {
  it('writes newc headers, 4-byte padding and the trailer', () => {
    const archive = buildCpio([
      { kind: 'dir', path: 'etc', mode: 0o755 },
      { kind: 'file', path: '/etc/hostname', mode: 0o644, data: Buffer.from('nofear\n') },
      { kind: 'symlink', path: 'bin', target: 'usr/bin' },
    ]);
    assert.equal(archive.subarray(0, 6).toString(), '070701');
    assert.equal(archive.length % 4, 0);
    const text = archive.toString('latin1');
    assert.ok(text.includes('etc/hostname\0'));
    assert.ok(text.includes('nofear\n'));
    assert.ok(text.includes('usr/bin'));
    assert.ok(text.includes('TRAILER!!!'));
    // the file's mode: S_IFREG | 0644 = 0x81a4
    assert.ok(text.includes('000081a4'));
  });
  it('refuses paths that climb out of the archive', () => {
    assert.throws(() => buildCpio([{ kind: 'file', path: '../etc/passwd', mode: 0o644, data: Buffer.alloc(0) }]));
  });
});

describe('kernel modules', () => {
  const deps: Record<string, string[]> = {
    '9p': ['9pnet', 'netfs', 'fscache'],
    '9pnet_virtio': ['9pnet', 'virtio_ring', 'virtio'],
    '9pnet': [],
    netfs: ['fscache'],
    fscache: [],
    virtio_ring: [],
    virtio: [],
  };
  it('orders dependencies first and skips built-ins', () => {
    const order = resolveLoadOrder(
      ['9p', '9pnet_virtio'],
      (n) => deps[n],
      (n) => n === 'virtio',
    );
    assert.deepEqual(order, ['9pnet', 'fscache', 'netfs', '9p', 'virtio_ring', '9pnet_virtio']);
  });
  it('names a missing module and who needs it', () => {
    assert.throws(
      () =>
        resolveLoadOrder(
          ['9p'],
          (n) => (n === '9p' ? ['ghost'] : undefined),
          () => false,
        ),
      /ghost not found \(needed by 9p\)/,
    );
  });
  it('reads depends= from modinfo and modules.builtin', () => {
    const ko = Buffer.concat([Buffer.from('junk\0license=GPL\0depends=virtio,virtio-ring\0vermagic=6.1\0')]);
    assert.deepEqual(parseModinfoDepends(ko), ['virtio', 'virtio_ring']);
    assert.deepEqual(parseModinfoDepends(Buffer.from('\0depends=\0')), []);
    assert.deepEqual([...parseModulesBuiltin('kernel/fs/ext4/ext4.ko\nkernel/drivers/virtio/virtio-mmio.ko\n')], ['ext4', 'virtio_mmio']);
  });
});

describe('hasPvhNote', () => {
  it('finds the Xen PHYS32_ENTRY note', () => {
    const note = Buffer.alloc(24);
    note.writeUInt32LE(4, 0);
    note.writeUInt32LE(4, 4);
    note.writeUInt32LE(18, 8);
    note.write('Xen\0', 12, 'latin1');
    assert.equal(hasPvhNote(Buffer.concat([Buffer.alloc(100), note])), true);
    note.writeUInt32LE(17, 8);
    assert.equal(hasPvhNote(Buffer.concat([Buffer.alloc(100), note])), false);
  });
});

describe('withoutTrailingZeros', () => {
  /** A 64-bit ELF with these program headers (type, file offset, file size, memory size) and `body` from 0x1000. */
  const elf = (segments: Array<[number, number, number, number]>, body: Buffer) => {
    const out = Buffer.alloc(0x1000 + body.length);
    out.write('\x7fELF', 0, 'latin1');
    out[4] = 2; // 64-bit
    out[5] = 1; // little-endian
    out.writeBigUInt64LE(0x40n, 0x20);
    out.writeUInt16LE(56, 0x36);
    out.writeUInt16LE(segments.length, 0x38);
    segments.forEach(([type, offset, fileSize, memSize], i) => {
      const at = 0x40 + i * 56;
      out.writeUInt32LE(type, at);
      out.writeBigUInt64LE(BigInt(offset), at + 8);
      out.writeBigUInt64LE(BigInt(fileSize), at + 0x20);
      out.writeBigUInt64LE(BigInt(memSize), at + 0x28);
    });
    body.copy(out, 0x1000);
    return out;
  };
  const fileSizes = (image: Buffer, count: number) => Array.from({ length: count }, (_, i) => Number(image.readBigUInt64LE(0x40 + i * 56 + 0x20)));
  const memSizes = (image: Buffer, count: number) => Array.from({ length: count }, (_, i) => Number(image.readBigUInt64LE(0x40 + i * 56 + 0x28)));

  it("ends a loadable segment's file part at its last non-zero page, its memory size kept", () => {
    const body = Buffer.alloc(0x5000);
    body[0x1234] = 7; // the segment's data ends in its second page; three pages of zeros follow
    const image = withoutTrailingZeros(elf([[1, 0x1000, 0x5000, 0x9000]], body));
    assert.deepEqual(fileSizes(image, 1), [0x2000]);
    assert.deepEqual(memSizes(image, 1), [0x9000]);
    assert.deepEqual(image.subarray(0x1000), body, 'only the header changes');
  });
  it('leaves a segment that ends in data, one of zeros only (to 0), and other headers as they are', () => {
    const body = Buffer.alloc(0x3000);
    body[0xfff] = 1;
    const image = withoutTrailingZeros(
      elf(
        [
          [1, 0x1000, 0x1000, 0x1000], // ends in data at 0x1fff
          [4, 0x2000, 0x1000, 0x1000], // a note of zeros: not loadable, untouched
          [1, 0x3000, 0x1000, 0x2000], // zeros only
        ],
        body,
      ),
    );
    assert.deepEqual(fileSizes(image, 3), [0x1000, 0x1000, 0]);
    assert.deepEqual(memSizes(image, 3), [0x1000, 0x1000, 0x2000]);
  });
  it('returns what is not a 64-bit ELF, or names headers past its end, unchanged', () => {
    const text = Buffer.from('not an ELF at all, and long enough to have a header'.padEnd(80, '.'));
    assert.equal(withoutTrailingZeros(text), text);
    const truncated = elf([[1, 0x1000, 0x8000, 0x8000]], Buffer.alloc(0x100));
    assert.deepEqual(fileSizes(withoutTrailingZeros(truncated), 1), [0x8000]);
  });
});
