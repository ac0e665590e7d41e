// Waiting for what an event brings, with a deadline: the event's handler calls wake(), and each wait looks
// for its value then (and once at its start). A wait given its producer's end also stops when that ends:
// it never sits out a deadline after whatever would have brought the value is gone.
export class EventWaits {
  private readonly waiting = new Set<() => void>();

  wake(): void {
    for (const check of [...this.waiting]) check();
  }

  /** `what` names the awaited thing for the error (a function: it is read when the wait fails). */
  until<T>(value: () => T | undefined, what: string | (() => string), deadlineMs: number, producerEnded?: Promise<unknown>): Promise<T> {
    const name = () => (typeof what === 'string' ? what : what());
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (settle: () => void) => {
        if (settled) return;
        settled = true;
        this.waiting.delete(check);
        clearTimeout(timer);
        settle();
      };
      const check = () => {
        const got = value();
        if (got !== undefined) finish(() => resolve(got));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`${name()}: not within ${deadlineMs} ms`))), deadlineMs);
      this.waiting.add(check);
      void producerEnded?.then(() => {
        check();
        finish(() => reject(new Error(`${name()}: its producer ended first`)));
      });
      check();
    });
  }
}
