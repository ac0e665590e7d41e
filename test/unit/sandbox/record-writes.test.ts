// Record writes of one sandbox land in the order they were asked for (issue 28, finding 7: a
// "starting" write landing after "running" left the record saying starting for good).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readRecord, writeRecord, type SandboxRecord } from '../../../src/sandbox/registry.js';

function record(id: string, state: SandboxRecord['state']): SandboxRecord {
  return {
    id,
    profile: 'temporary',
    command: [],
    files: [],
    state,
    pooled: false,
    createdAt: 0,
    owner: { pid: 1, start: '1' },
    ownerKind: 'cli',
    accel: 'tcg',
    memoryMiB: 1024,
    cpus: 1,
  } as unknown as SandboxRecord;
}

describe('sandbox record writes', () => {
  it('keep the last state asked for when writes overlap', async () => {
    const top = mkdtempSync(path.join(tmpdir(), 'nofear-record-'));
    const id = 'abcdef01';
    const dir = path.join(top, id);
    mkdirSync(dir);
    try {
      for (let round = 0; round < 200; round++) {
        // Not awaited in between: the first write is still in flight when the second is asked for.
        const first = writeRecord(dir, record(id, 'starting'));
        const second = writeRecord(dir, record(id, 'running'));
        await Promise.all([first, second]);
        assert.equal((await readRecord(dir))?.state, 'running', `round ${round}`);
      }
    } finally {
      rmSync(top, { recursive: true, force: true });
    }
  });

  it('still writes after a write that failed', async () => {
    const top = mkdtempSync(path.join(tmpdir(), 'nofear-record-'));
    const id = 'abcdef01';
    const dir = path.join(top, id);
    mkdirSync(dir);
    try {
      await assert.rejects(writeRecord(path.join(dir, 'missing'), record(id, 'starting')));
      await writeRecord(dir, record(id, 'running'));
      assert.equal((await readRecord(dir))?.state, 'running');
    } finally {
      rmSync(top, { recursive: true, force: true });
    }
  });
});
