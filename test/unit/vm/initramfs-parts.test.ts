import assert from 'node:assert/strict';
import { buildCpio } from '../../../src/vm/cpio.js';
import { parseModinfoDepends, parseModulesBuiltin, resolveLoadOrder } from '../../../src/vm/modules.js';
import { hasPvhNote } from '../../../src/vm/vmlinux.js';

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
