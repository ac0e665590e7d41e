// Calls a caller may take back by the id it chose (Convert's `request` option, Manager.Cancel): what the
// call still waits for (a slot in the queue) is refused, and every sandbox it started is stopped, also one
// that comes into being after the Cancel. nofear-open --convert uses it for Ctrl-C: before Convert's reply
// it knows no sandbox to stop, only the id it sent. A call is held until it has replied and its sandboxes
// have ended; a Cancel of an id no live call has does nothing (the bus keeps one connection's messages in
// order, so a Cancel never overtakes its own Convert).
import { invalidArgument, NoFearError } from '../../errors.js';

/** What a stopped sandbox offers here. */
interface Stoppable {
  stop(): Promise<void>;
  ended: Promise<unknown>;
}

/** One call's side: its abort signal (for the queue), and each sandbox it started. */
export interface CancellableCall {
  readonly signal: AbortSignal;
  /** A sandbox the call started: stopped at once when the call was cancelled already. */
  started(sandbox: Stoppable): void;
  /** The call has replied (or failed): the id is free once its sandboxes have ended. */
  settled(): void;
}

/** A request id as callers make it: 16 to 64 lowercase hex digits (nofear-open sends 32 random ones). */
const REQUEST_ID = /^[0-9a-f]{16,64}$/;

export function checkRequestId(id: string): string {
  if (!REQUEST_ID.test(id)) throw invalidArgument(`The request id ${JSON.stringify(id.slice(0, 80))} is not 16 to 64 lowercase hex digits.`, 'make it from random bytes, e.g. 16 of them in hex');
  return id;
}

const NOT_CANCELLABLE: CancellableCall = { signal: new AbortController().signal, started: () => {}, settled: () => {} };

export class CancellableCalls {
  private readonly live = new Map<string, { abort: AbortController; sandboxes: Stoppable[] }>();

  /** A call under `id` (none: a call nobody can cancel). An id a live call already has is refused. */
  begin(id: string | undefined): CancellableCall {
    if (id === undefined) return NOT_CANCELLABLE;
    checkRequestId(id);
    if (this.live.has(id)) throw invalidArgument(`The request id ${id} is in use by another call.`, 'use a new random id for each call');
    const call = { abort: new AbortController(), sandboxes: [] as Stoppable[] };
    this.live.set(id, call);
    return {
      signal: call.abort.signal,
      started: (sandbox) => {
        call.sandboxes.push(sandbox);
        if (call.abort.signal.aborted) void sandbox.stop().catch(() => undefined);
      },
      settled: () => {
        void Promise.allSettled(call.sandboxes.map((sandbox) => sandbox.ended)).then(() => {
          if (this.live.get(id) === call) this.live.delete(id);
        });
      },
    };
  }

  /** Takes the call back: its wait refused, its sandboxes stopped; false when no live call has the id. */
  async cancel(id: string): Promise<boolean> {
    const call = this.live.get(checkRequestId(id));
    if (call === undefined) return false;
    call.abort.abort(new NoFearError('Failed', 'Cancelled by its caller (Manager.Cancel) before it started.'));
    await Promise.all(call.sandboxes.map((sandbox) => sandbox.stop().catch(() => undefined)));
    return true;
  }
}
