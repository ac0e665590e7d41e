import assert from 'node:assert/strict';
import { formatProfileInfo } from '../../../src/cli/ctl-profiles.js';
import { formatProfiles, humanBytes } from '../../../src/cli/profile-table.js';
import type { ProfileInfo } from '../../../src/profiles/store.js';

const info = (over: Partial<ProfileInfo> = {}): ProfileInfo => ({
  name: 'work',
  dir: '/d/work',
  disk: '/d/work/disk.img',
  sizeOnDisk: 276 * 1024 * 1024,
  lastUsed: undefined,
  inUseBy: undefined,
  ...over,
});

describe('nofearctl profiles', () => {
  it('shows sizes in binary units', () => {
    assert.equal(humanBytes(512), '512 B');
    assert.equal(humanBytes(1536), '1.5 KiB');
    assert.equal(humanBytes(276 * 1024 * 1024), '276.0 MiB');
  });

  it('prints info as key: value lines, "never" for a profile never used', () => {
    assert.equal(formatProfileInfo(info(), []), 'name: work\ndisk: /d/work/disk.img\nsize on disk: 276.0 MiB (289406976 bytes)\nlast used: never\nin use by: -\n');
  });

  it('names the sandbox that holds a profile in use', () => {
    const text = formatProfileInfo(info({ lastUsed: new Date('2025-01-02T03:04:05Z'), inUseBy: 4242 }), ['0123abcd']);
    assert.match(text, /^last used: 2025-01-02T03:04:05\.000Z$/m);
    assert.match(text, /^in use by: sandbox 0123abcd \(pid 4242\)$/m);
  });

  it('lists profiles with size and last use', () => {
    const table = formatProfiles([info({ lastUsed: new Date('2025-01-02T03:04:05Z') }), info({ name: 'other' })]);
    assert.match(table, /^work\s+276\.0 MiB\s+2025-01-02 03:04$/m);
    assert.match(table, /^other\s+276\.0 MiB\s+never$/m);
  });
});
