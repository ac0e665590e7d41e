// Connecting to QEMU's virtio-serial sockets (src/vm/channels.ts) with real unix sockets: at once when
// QEMU listens, once the socket appears during start-up, and a clear error when QEMU is gone or the
// deadline passes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connectPort } from '../../../src/vm/channels.js';

describe('vm/channels: connectPort', () => {
  let dir: string;
  const servers: net.Server[] = [];
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-channels-'));
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
    rmSync(dir, { recursive: true, force: true });
  });

  const listen = (socketPath: string): Promise<net.Server> =>
    new Promise((resolve) => {
      const server = net.createServer((socket) => socket.end('hello from the guest'));
      servers.push(server);
      server.listen(socketPath, () => resolve(server));
    });

  const read = (socket: net.Socket): Promise<string> =>
    new Promise((resolve) => {
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
    });

  it('connects at once to a socket QEMU listens on', async () => {
    const socketPath = path.join(dir, 'ctl.sock');
    await listen(socketPath);
    const socket = await connectPort(socketPath, 5000, () => false);
    assert.equal(await read(socket), 'hello from the guest');
  });

  it('keeps trying while QEMU starts, and connects once the socket appears', async () => {
    const socketPath = path.join(dir, 'late.sock');
    let asked = 0;
    let listening: Promise<net.Server> | undefined;
    // QEMU "creates" the socket while the first attempt has failed: gaveUp is asked after each failure.
    const socket = await connectPort(socketPath, 30_000, () => {
      asked++;
      listening ??= listen(socketPath);
      return false;
    });
    assert.ok(asked >= 1);
    assert.equal(await read(socket), 'hello from the guest');
  });

  it('gives up, naming the socket and the reason, once QEMU is gone or the deadline has passed', async () => {
    const socketPath = path.join(dir, 'never.sock');
    await assert.rejects(
      connectPort(socketPath, 30_000, () => true),
      new RegExp(`^Error: cannot connect to ${socketPath}: ENOENT$`),
    );
    await assert.rejects(
      connectPort(socketPath, -1, () => false),
      /cannot connect to .*never\.sock: ENOENT/,
    );
  });

  it('does not retry an error that QEMU starting cannot mend (only ENOENT and ECONNREFUSED mean it is still starting)', async () => {
    const file = path.join(dir, 'plain-file');
    writeFileSync(file, '');
    let asked = 0;
    await assert.rejects(
      connectPort(path.join(file, 'ctl.sock'), 30_000, () => (asked++, false)),
      /cannot connect to .*plain-file\/ctl\.sock: ENOTDIR/,
    );
    assert.equal(asked, 0);
  });
});
