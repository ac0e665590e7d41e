// The host's side of the control port as a strict state machine: hello, then started and exit in that
// order, each progress step after hello and in its own order, every message at most once; a `launched`
// only while the job runs and only for a launch the host asked for, once each. Anything
// else (a repeat, a step out of order, a line that does not parse) is a protocol violation: the guest
// gets no further say, the VM is stopped, and the sandbox ends with a named error. Every valid message can come once, so what a guest can make the
// host do is bounded whatever it sends.
import type net from 'node:net';
import { GUEST_STEPS, LineSplitter, parseGuestLine, type GuestMessage, type GuestStep } from './control-protocol.js';

export type ChannelEnd = { kind: 'exit'; status: number; stdoutBytes: number; stderrBytes: number } | { kind: 'error'; reason: string } | { kind: 'violation'; reason: string };

export interface ChannelEvents {
  hello(): void;
  started(): void;
  progress(step: GuestStep): void;
  /** The guest started what the host's launch `seq` asked for (at most once per launch the host sent). */
  launched(seq: number): void;
  /** Once: the job's end, the guest's own refusal, or a broken protocol. */
  end(end: ChannelEnd): void;
}

type Phase = 'booting' | 'ready' | 'running' | 'ended';

/** What one message does in one phase (`asked`: the launches the host sent and the guest has not answered): the next phase, or a violation with its reason. */
export function transition(phase: Phase, lastStep: number, message: GuestMessage, asked: ReadonlySet<number> = new Set()): { phase: Phase; step?: number } | { violation: string } {
  if (phase === 'ended') return { violation: `${message.type} after the end` };
  switch (message.type) {
    case 'hello':
      return phase === 'booting' ? { phase: 'ready' } : { violation: 'a second hello' };
    case 'started':
      return phase === 'ready' ? { phase: 'running' } : { violation: phase === 'booting' ? 'started before hello' : 'a second started' };
    case 'progress': {
      // A VM gets ready before its job (its GUI server starts while it waits in the pool).
      if (phase === 'booting') return { violation: `progress ${message.step} before hello` };
      const index = GUEST_STEPS.indexOf(message.step);
      return index > lastStep ? { phase, step: index } : { violation: `progress ${message.step} repeated or out of order` };
    }
    case 'exit':
      return phase === 'running' ? { phase: 'ended' } : { violation: 'exit before started' };
    case 'launched':
      if (phase !== 'running') return { violation: 'launched while no job runs' };
      return asked.has(message.seq) ? { phase } : { violation: `launched ${message.seq}, which the host did not ask for (or already heard)` };
    case 'error':
      return phase === 'booting' ? { violation: 'error before hello' } : { phase: 'ended' };
    case 'invalid':
      return { violation: message.reason };
  }
}

export class GuestChannel {
  private phase: Phase = 'booting';
  private lastStep = -1;
  private readonly splitter = new LineSplitter();
  /** Launches sent and not yet answered: each may be answered once. */
  private readonly asked = new Set<number>();

  constructor(
    private readonly control: net.Socket,
    private readonly events: ChannelEvents,
  ) {
    control.on('data', (chunk: Buffer) => this.splitter.push(chunk, (line) => this.receive(line)));
    control.on('error', () => {}); // the VM's end is noticed through QEMU's exit, not the socket's
  }

  private receive(untrustedLine: string): void {
    if (this.phase === 'ended') return; // after a violation the socket is being torn down
    const message = parseGuestLine(untrustedLine);
    const next = transition(this.phase, this.lastStep, message, this.asked);
    if ('violation' in next) return this.violate(next.violation);
    this.phase = next.phase;
    if (next.phase === 'ended') this.stopListening(); // a guest has nothing more to say after its end
    if (next.step !== undefined) this.lastStep = next.step;
    switch (message.type) {
      case 'hello':
        return this.events.hello();
      case 'started':
        return this.events.started();
      case 'progress':
        return this.events.progress(message.step);
      case 'launched':
        this.asked.delete(message.seq);
        return this.events.launched(message.seq);
      case 'exit':
        return this.events.end({ kind: 'exit', status: message.status, stdoutBytes: message.stdoutBytes, stderrBytes: message.stderrBytes });
      case 'error':
        return this.events.end({ kind: 'error', reason: message.reason });
    }
  }

  /** The host sent launch `seq`: the guest may answer it (once). */
  expectLaunched(seq: number): void {
    this.asked.add(seq);
  }

  /** The host stopped waiting for launch `seq`: a late answer is then a violation too. */
  forgetLaunch(seq: number): void {
    this.asked.delete(seq);
  }

  private violate(reason: string): void {
    this.phase = 'ended';
    this.stopListening();
    this.events.end({ kind: 'violation', reason });
  }

  private stopListening(): void {
    this.control.pause();
    this.control.removeAllListeners('data');
  }
}
