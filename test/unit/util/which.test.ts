// Finding a program as a shell would: PATH in order, only absolute directories, only executable regular
// files; a name with a slash taken as it is; NOFEAR_QEMU over PATH for QEMU. Real files in a temp tree.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findExecutable, qemuBinary } from '../../../src/util/which.js';

describe('findExecutable and qemuBinary', () => {
  let dir: string;
  const program = (folder: string, name: string, mode = 0o755) => {
    mkdirSync(path.join(dir, folder), { recursive: true });
    const file = path.join(dir, folder, name);
    writeFileSync(file, '#!/bin/sh\n');
    chmodSync(file, mode);
    return file;
  };
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-which-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('takes the first executable regular file along PATH, skipping relative and empty entries', () => {
    program('a', 'tool', 0o644); // not executable
    mkdirSync(path.join(dir, 'b', 'tool'), { recursive: true }); // a directory
    const found = program('c', 'tool');
    program('d', 'tool');
    const PATH = ['', 'relative', ...['a', 'b', 'c', 'd'].map((f) => path.join(dir, f))].join(':');
    assert.equal(findExecutable('tool', { PATH }), found);
    assert.equal(findExecutable('missing', { PATH }), undefined);
  });

  it('takes a name with a slash as a path, executable or not found', () => {
    const file = program('x', 'tool');
    assert.equal(findExecutable(file, { PATH: '' }), file);
    assert.equal(findExecutable(program('x', 'data', 0o644), { PATH: '' }), undefined);
    assert.equal(findExecutable(path.join(dir, 'nothing'), {}), undefined);
  });

  it('finds QEMU by NOFEAR_QEMU first (on PATH or as a path), else qemu-system-x86_64 on PATH', () => {
    const onPath = program('bin', 'qemu-system-x86_64');
    const other = program('bin', 'my-qemu');
    const PATH = path.join(dir, 'bin');
    assert.equal(qemuBinary({ PATH }), onPath);
    assert.equal(qemuBinary({ PATH, NOFEAR_QEMU: '' }), onPath);
    assert.equal(qemuBinary({ PATH, NOFEAR_QEMU: 'my-qemu' }), other);
    assert.equal(qemuBinary({ PATH, NOFEAR_QEMU: other }), other);
    assert.equal(qemuBinary({ PATH, NOFEAR_QEMU: path.join(dir, 'gone') }), undefined); // an override never falls back
    assert.equal(qemuBinary({ PATH: path.join(dir, 'empty') }), undefined);
  });
});
