// The wait for a guest's last output after its exit report. The port is a PassThrough (a real stream; the
// sink only reads, pauses and resumes it) and Node's mock timers stand in for the clock, so "ten seconds of
// silence" is exact on a busy machine.
import assert from 'node:assert/strict';
import { mock } from 'node:test';
import type net from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { CountingSink } from '../../../src/cli/stdio-relay.js';

/** Lets the stream's events and the promise callbacks run (the mocked clock does not move). */
async function turn(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => process.nextTick(resolve));
}

function sinkOver(): { port: PassThrough; host: Buffer[]; sink: CountingSink } {
  const port = new PassThrough();
  const host: Buffer[] = [];
  const target = new Writable({ write: (chunk: Buffer, _encoding, done) => (host.push(chunk), done()) });
  return { port, host, sink: new CountingSink(port as unknown as net.Socket, target) };
}

/** Settled state of a promise, read without waiting for it. */
async function settled<T>(promise: Promise<T>): Promise<{ value: T } | 'pending'> {
  let state: { value: T } | 'pending' = 'pending';
  void promise.then((value) => (state = { value }));
  await turn();
  await turn();
  return state;
}

async function send(port: PassThrough, bytes: number): Promise<void> {
  port.write(Buffer.alloc(bytes, 0x61));
  await turn();
}

describe('cli/stdio-relay: waiting for the last bytes a guest said it wrote', () => {
  beforeEach(() => mock.timers.enable(['setTimeout']));
  afterEach(() => mock.timers.reset());

  it('keeps waiting past the silence limit in all while the bytes keep coming, and resolves when the last arrives', async () => {
    const { port, host, sink } = sinkOver();
    const done = sink.waitFor(40, 10_000, 300_000);
    for (let i = 0; i < 3; i++) {
      await send(port, 10);
      mock.timers.tick(9_000);
    }
    assert.equal(await settled(done), 'pending', '27 s after the exit report, with bytes every 9 s, it still waits');
    await send(port, 10);
    assert.deepEqual(await settled(done), { value: true });
    assert.equal(Buffer.concat(host).length, 40);
  });

  it('gives up after the silence limit when the claimed bytes stop coming', async () => {
    const { port, sink } = sinkOver();
    const done = sink.waitFor(40, 10_000, 300_000);
    await send(port, 5);
    mock.timers.tick(9_999);
    assert.equal(await settled(done), 'pending');
    mock.timers.tick(1);
    assert.deepEqual(await settled(done), { value: false });
  });

  it('gives up at the cap when a guest trickles bytes for ever', async () => {
    const { port, sink } = sinkOver();
    const done = sink.waitFor(1_000_000, 10_000, 60_000);
    for (let i = 0; i < 6; i++) {
      await send(port, 1);
      mock.timers.tick(9_000);
    }
    assert.equal(await settled(done), 'pending');
    await send(port, 1);
    mock.timers.tick(6_000);
    assert.deepEqual(await settled(done), { value: false });
  });

  it('ends at once when the port closes short of the claim', async () => {
    const { port, sink } = sinkOver();
    const done = sink.waitFor(40, 10_000, 300_000);
    await send(port, 5);
    port.destroy();
    await turn();
    assert.deepEqual(await settled(done), { value: false });
  });
});
