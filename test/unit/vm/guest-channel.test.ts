// The host's side of the control port as a strict state machine: hello, started, exit in order, each
// progress step once and in order, and any repeat, reordering or bad line a violation that ends the
// channel for good. The transition table, then the channel on a byte stream (a PassThrough stands in for
// the control socket: the channel reads only its data events).
import assert from 'node:assert/strict';
import type net from 'node:net';
import { PassThrough } from 'node:stream';
import { GuestChannel, transition, type ChannelEnd } from '../../../src/vm/guest-channel.js';
import type { GuestStep } from '../../../src/vm/control-protocol.js';

const HELLO = { type: 'hello', version: 1 } as const;
const STARTED = { type: 'started' } as const;
const EXIT = { type: 'exit', status: 0, stdoutBytes: 0, stderrBytes: 0 } as const;
const PROGRESS = { type: 'progress', step: 'gui-server' } as const;

/** A channel on a stream, recording its events in order. */
function channel() {
  const socket = new PassThrough();
  const events: string[] = [];
  const ends: ChannelEnd[] = [];
  const guest = new GuestChannel(socket as unknown as net.Socket, {
    hello: () => events.push('hello'),
    started: () => events.push('started'),
    progress: (step: GuestStep) => events.push(`progress ${step}`),
    launched: (seq: number) => events.push(`launched ${seq}`),
    end: (end) => {
      events.push(`end ${end.kind}`);
      ends.push(end);
    },
  });
  /** Writes bytes and lets the stream deliver them. */
  const send = async (text: string) => {
    socket.write(Buffer.from(text, 'latin1'));
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { socket, events, ends, send, guest };
}

describe('the guest channel (control port state machine)', () => {
  it('moves booting → ready → running → ended on hello, started and exit', () => {
    assert.deepEqual(transition('booting', -1, HELLO), { phase: 'ready' });
    assert.deepEqual(transition('ready', -1, STARTED), { phase: 'running' });
    assert.deepEqual(transition('running', -1, EXIT), { phase: 'ended' });
    assert.deepEqual(transition('ready', -1, { type: 'error', reason: 'no-program' }), { phase: 'ended' });
    assert.deepEqual(transition('running', -1, { type: 'error', reason: 'x' }), { phase: 'ended' });
  });

  it('takes a progress step after hello, in ready (a pool VM) or running, once', () => {
    assert.deepEqual(transition('ready', -1, PROGRESS), { phase: 'ready', step: 0 });
    assert.deepEqual(transition('running', -1, PROGRESS), { phase: 'running', step: 0 });
    assert.deepEqual(transition('ready', 0, PROGRESS), { violation: 'progress gui-server repeated or out of order' });
    assert.deepEqual(transition('booting', -1, PROGRESS), { violation: 'progress gui-server before hello' });
  });

  it('names every message out of its place as a violation', () => {
    assert.deepEqual(transition('ready', -1, HELLO), { violation: 'a second hello' });
    assert.deepEqual(transition('booting', -1, STARTED), { violation: 'started before hello' });
    assert.deepEqual(transition('running', -1, STARTED), { violation: 'a second started' });
    assert.deepEqual(transition('ready', -1, EXIT), { violation: 'exit before started' });
    assert.deepEqual(transition('booting', -1, { type: 'error', reason: 'x' }), { violation: 'error before hello' });
    assert.deepEqual(transition('ended', -1, HELLO), { violation: 'hello after the end' });
    assert.deepEqual(transition('running', -1, { type: 'invalid', reason: 'malformed exit' }), { violation: 'malformed exit' });
  });

  it('takes a launched only while the job runs, for a launch the host sent and has not heard back of', () => {
    const launched = { type: 'launched', seq: 2 } as const;
    assert.deepEqual(transition('running', 0, launched, new Set([1, 2])), { phase: 'running' });
    assert.deepEqual(transition('running', 0, launched, new Set([1])), { violation: 'launched 2, which the host did not ask for (or already heard)' });
    assert.deepEqual(transition('running', 0, launched), { violation: 'launched 2, which the host did not ask for (or already heard)' });
    assert.deepEqual(transition('ready', 0, launched, new Set([2])), { violation: 'launched while no job runs' });
  });

  it("hears each launch's answer once; an answer it did not ask for, a repeat or one it stopped waiting for ends the channel", async () => {
    const asked = channel();
    await asked.send('hello 1\nstarted\n');
    asked.guest.expectLaunched(1);
    asked.guest.expectLaunched(2);
    await asked.send('launched 2\nlaunched 1\n');
    assert.deepEqual(asked.events, ['hello', 'started', 'launched 2', 'launched 1']);
    await asked.send('launched 1\n');
    assert.deepEqual(asked.ends, [{ kind: 'violation', reason: 'launched 1, which the host did not ask for (or already heard)' }]);

    const unasked = channel();
    await unasked.send('hello 1\nstarted\nlaunched 7\nexit 0 0 0\n');
    assert.deepEqual(unasked.events, ['hello', 'started', 'end violation']);

    const late = channel();
    await late.send('hello 1\nstarted\n');
    late.guest.expectLaunched(1);
    late.guest.forgetLaunch(1);
    await late.send('launched 1\n');
    assert.deepEqual(late.ends, [{ kind: 'violation', reason: 'launched 1, which the host did not ask for (or already heard)' }]);
  });

  it('reports a whole job from lines split anywhere across chunks, and hears nothing after its end', async () => {
    const { events, ends, send } = channel();
    await send('hel');
    await send('lo 1\nprogress gui-');
    await send('server\nstarted\nexit 3 10');
    await send(' 2\nhello 1\n');
    assert.deepEqual(events, ['hello', 'progress gui-server', 'started', 'end exit']);
    assert.deepEqual(ends, [{ kind: 'exit', status: 3, stdoutBytes: 10, stderrBytes: 2 }]);
  });

  it("passes the guest's own refusal on as an error end", async () => {
    const { events, ends, send } = channel();
    await send('hello 1\nerror no-such-program\n');
    assert.deepEqual(events, ['hello', 'end error']);
    assert.deepEqual(ends, [{ kind: 'error', reason: 'no-such-program' }]);
  });

  it('ends once on the first violation and stops reading: a repeat, a bad line, a line too long', async () => {
    const repeat = channel();
    await repeat.send('hello 1\nhello 1\nstarted\nexit 0 0 0\n');
    assert.deepEqual(repeat.events, ['hello', 'end violation']);
    assert.deepEqual(repeat.ends, [{ kind: 'violation', reason: 'a second hello' }]);
    assert.equal(repeat.socket.listenerCount('data'), 0);

    const garbage = channel();
    await garbage.send('hello 1\nstarted\nexit 999 0 0\n');
    assert.deepEqual(garbage.ends, [{ kind: 'violation', reason: 'exit status out of range' }]);

    const flood = channel();
    await flood.send('x'.repeat(10_000));
    assert.deepEqual(flood.ends, [{ kind: 'violation', reason: 'line too long' }]);
  });
});
