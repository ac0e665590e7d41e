// NoFear's X11 relay (src/gui/x11-relay.ts with the real x11-relay.py under setpriv) towards a TCP
// "display" (a local echo server standing in for the X server: the relay copies bytes, it reads no X11):
// the bytes pass both ways, stop kills it and removes its private dir, a relay that cannot start is a
// clear Unavailable error with a fix.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isNoFearError } from '../../../src/errors.js';
import { relayArgs, startX11Relay } from '../../../src/gui/x11-relay.js';

describe('gui/x11-relay', () => {
  let server: net.Server;
  let port: number;
  let dir: string;
  before(async () => {
    server = net.createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-x11-relay-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('passes the arguments the script takes for an abstract and a TCP display', () => {
    assert.deepEqual(relayArgs('/r/X0', { abstract: '/tmp/.X11-unix/X0' }).slice(1), ['/r/X0', 'abstract', '/tmp/.X11-unix/X0']);
    assert.deepEqual(relayArgs('/r/X0', { host: '10.0.0.1', port: 6001 }).slice(1), ['/r/X0', 'tcp', '10.0.0.1', '6001']);
    assert.match(relayArgs('/r/X0', { abstract: 'a' })[0] ?? '', /\/src\/gui\/x11-relay\.py$/);
  });

  it('relays bytes both ways to a TCP display, and stop removes its private dir', async () => {
    const listen = path.join(dir, 'X0');
    const relay = await startX11Relay(listen, { host: '127.0.0.1', port });
    try {
      assert.equal(relay.path, listen);
      const socket = net.createConnection(listen);
      const echoed = await new Promise<string>((resolve, reject) => {
        let text = '';
        socket.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (text.length >= 5) resolve(text);
        });
        socket.on('error', reject);
        socket.write('hello');
      });
      socket.destroy();
      assert.equal(echoed, 'hello');
    } finally {
      relay.stop();
    }
    assert.equal(existsSync(dir), false);
  });

  it('says the relay did not start, with a fix, when it cannot run', async () => {
    await assert.rejects(
      startX11Relay(path.join(dir, 'X0'), { host: '127.0.0.1', port }, '/nonexistent/setpriv'),
      (e: unknown) => isNoFearError(e) && e.code === 'Unavailable' && /^NoFear's X11 relay did not start \(/.test(e.message) && /NOFEAR_CLIENT_JAIL=off/.test(e.fix ?? ''),
    );
  });
});
