// A test's view of the NoFear service through NoFear's own bus client: opens, each sandbox's window
// (its Window property, set at the window step), its exit status, stops. Every wait has a deadline.
import { pathToFileURL } from 'node:url';
import { NoFearClient, type OpenOptions, type SandboxEvent } from '../../src/service/bus/client.js';
import { sandboxIdOf } from '../../src/service/bus/names.js';
import { EventWaits } from './event-waits.js';

export class BusWatcher {
  private readonly windows = new Map<string, number>();
  private readonly started: string[] = [];
  private consumed = 0;
  private readonly exits = new Map<string, number>();
  private readonly waits = new EventWaits();

  private constructor(
    private readonly client: NoFearClient,
    private readonly unfollow: () => Promise<void>,
  ) {}

  static async connect(address: string): Promise<BusWatcher> {
    const client = NoFearClient.connect({ DBUS_SESSION_BUS_ADDRESS: address });
    if (client === undefined) throw new Error(`cannot connect to ${address}`);
    // Events that come before the watcher exists wait in `pending` (a holder, since follow() must come first).
    const holder: { watcher?: BusWatcher } = {};
    const pending: Array<[string, SandboxEvent]> = [];
    const unfollow = await client.follow((objectPath, event) => (holder.watcher ? holder.watcher.hear(objectPath, event) : pending.push([objectPath, event])));
    const watcher = new BusWatcher(client, unfollow);
    holder.watcher = watcher;
    for (const [objectPath, event] of pending) watcher.hear(objectPath, event);
    return watcher;
  }

  private hear(objectPath: string, event: SandboxEvent): void {
    if (event.kind === 'started') this.started.push(objectPath);
    if (event.kind === 'exited') this.exits.set(objectPath, event.status);
    if (event.kind === 'step' && event.step === 'window' && event.window !== undefined) this.windows.set(objectPath, event.window);
    this.waits.wake();
  }

  async openFiles(files: readonly string[], options: OpenOptions = {}): Promise<string[]> {
    return this.client.openUris(
      files.map((file) => pathToFileURL(file).href),
      options,
    );
  }

  /** How many sandboxes the service has started since the watcher connected. */
  get startedCount(): number {
    return this.started.length;
  }

  /** The next sandbox the service started (SandboxStarted), whoever asked for it. */
  async waitForStarted(deadlineMs: number): Promise<string[]> {
    const next = await this.until(() => this.started[this.consumed], 'a SandboxStarted', deadlineMs);
    this.consumed++;
    return [next];
  }

  /** The sandbox's first window, as xdotool takes it (decimal X id); fails as soon as the sandbox ends without one. */
  async windowOf(objectPath: string, deadlineMs: number): Promise<string> {
    const got = await this.until(() => this.windows.get(objectPath) ?? (this.exits.has(objectPath) ? ('ended' as const) : undefined), `a window for ${objectPath}`, deadlineMs);
    if (got === 'ended') throw new Error(`${objectPath} ended (status ${this.exits.get(objectPath)}) before its window`);
    return String(got);
  }

  /** Whether the sandbox has ended (SandboxExited heard). */
  hasExited(objectPath: string): boolean {
    return this.exits.has(objectPath);
  }

  exitOf(objectPath: string, deadlineMs: number): Promise<number> {
    return this.until(() => this.exits.get(objectPath), `the end of ${objectPath}`, deadlineMs);
  }

  async stop(objectPath: string): Promise<void> {
    await this.client.stopSandbox(sandboxIdOf(objectPath) ?? '');
  }

  async stopAll(): Promise<void> {
    await this.client.stopAll();
  }

  close(): void {
    void this.unfollow().finally(() => this.client.close());
  }

  private until<T>(value: () => T | undefined, what: string, deadlineMs: number): Promise<T> {
    return this.waits.until(value, what, deadlineMs);
  }
}
