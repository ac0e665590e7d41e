// A ready conversion VM: booted from a conversion's own shape (no GUI, no network, its stdout a channel
// to the host, an empty export), waiting in the service's pool for one job, the converter's or the
// OCR's, which then runs in it exactly as in a VM booted for it.
import type { Config } from '../config/index.js';
import { poolRequest, poolShape } from '../sandbox/pool-shapes.js';
import { Sandbox, type SandboxOutcome } from '../sandbox/sandbox.js';
import { sandboxOptionsFrom, type SandboxHooks } from '../sandbox/sandbox-options.js';
import type { PoolSession } from '../sandbox/warm-pool.js';

/** A ready VM handed to one conversion job, with what gives its slot back once the job's VM is gone. */
export interface ReadyVm {
  sandbox: Sandbox;
  release(): void;
}

export class ConversionVm implements PoolSession {
  readonly finished: Promise<SandboxOutcome>;

  private constructor(readonly sandbox: Sandbox) {
    this.finished = sandbox.outcome;
  }

  static async boot(config: Config, hooks: SandboxHooks): Promise<ConversionVm> {
    const { shape } = sandboxOptionsFrom(config, poolRequest('convert', config), hooks);
    const sandbox = await Sandbox.boot({ shape: { ...shape, tbSizeMiB: poolShape('convert', config).tbSizeMiB }, hooks, pooled: true });
    return new ConversionVm(sandbox);
  }

  /** Booted means ready: the guest has said hello and waits for its job (no GUI server to wait for). */
  ready(): Promise<void> {
    return Promise.resolve();
  }
}
