// One non-interactive job in a throwaway VM without network, whose stdout is a dedicated channel the
// caller reads (the converter's pixels, the OCR's words): stderr is kept as a short cleaned tail for
// messages, stdin carries only the host's "done" once it has read everything. The job's end is mapped to
// a named error; a guest that stays silent too long, or a caller that gives up, stops the VM.
import type net from 'node:net';
import { Sandbox, withSandbox, type SandboxOutcome } from '../sandbox/sandbox.js';
import { hooksFor, sandboxOptionsFrom, type RunContext, type SandboxOptions } from '../sandbox/sandbox-options.js';
import type { ExportSpec } from '../vm/vm-shape.js';
import { conversionRequest } from '../sandbox/pool-shapes.js';
import type { ReadyVm } from './ready-vm.js';
import { oneLine } from '../util/text.js';
import { ConversionError, passwordRefused } from './errors.js';
import { GUEST_LOG_TAIL_BYTES, jobDeadlineMs, SILENCE_DEADLINE_MS } from './limits.js';

/** Where a conversion's VMs run: whose config and environment, for whom, and how it is told and stopped. */
export interface ConversionContext extends RunContext {
  /** A ready conversion VM for a job whose export is this big, when the service's pool has one that fits. */
  takeReady?: (exportBytes: number) => ReadyVm | undefined;
}

export interface GuestJobSpec extends ConversionContext {
  argv: string[];
  export: ExportSpec;
  /** "the converter", "the OCR": how messages name the job. */
  what: string;
  file: string;
  /** The VM has booted and the job runs. */
  onStarted?: (sandbox: Sandbox) => void;
  silenceMs?: number;
  /**
   * The document's password: the first line the job reads on stdin (never in its argv, environment or a
   * file); the job ending with PASSWORD_REFUSED then means this one does not open it. Whatever the guest
   * prints is cleaned of it before it is logged or quoted.
   */
  password?: string;
}

export interface GuestJobIo {
  /** The job's stdout, chunk by chunk: while the caller works on one, the guest waits. */
  chunks(): AsyncIterable<Buffer>;
  /** Tells the guest the host has read everything it needs (the guest waits for this before exiting); keep reading to the end. */
  confirm(): void;
}

/** Once the host has everything, the guest has this long to end (it reads "done", exits, and powers off). */
export const END_AFTER_DONE_MS = 60_000;

/** The guest's exit statuses that carry a meaning (src/guest/convert.sh, ocr.sh). */
const RENDER_FAILED = 65;
const TOOL_MISSING = 69;
/** The document is protected and no password, or a wrong one, was given (src/guest/convert.sh). */
const PASSWORD_REFUSED = 77;

/** The guest's words with every occurrence of the password replaced: a hostile guest may echo it. */
export function withoutPassword(untrustedText: string, password: string | undefined): string {
  return password === undefined || password === '' ? untrustedText : untrustedText.split(password).join('[the password]');
}

export class StderrTail {
  private text = '';
  push(chunk: Buffer): void {
    this.text = (this.text + chunk.toString('utf8')).slice(-GUEST_LOG_TAIL_BYTES);
  }
  /**
   * What the guest said last, quoted on one line: its last 300 characters, newlines and controls shown
   * visibly (a guest cannot make its words look like a second line of NoFear's own).
   */
  lastLine(): string {
    return oneLine(this.text.trim().slice(-300)).trim();
  }
}

function stoppedJob(spec: Pick<GuestJobSpec, 'what' | 'file'>): ConversionError {
  return new ConversionError('Stopped', `${spec.what} for ${spec.file} was stopped`);
}

function failureOf(spec: GuestJobSpec, outcome: SandboxOutcome, untrustedTail: string): ConversionError {
  if (outcome.kind === 'stopped') return stoppedJob(spec);
  if (outcome.kind === 'failed') return new ConversionError('GuestFailed', `${spec.what} for ${spec.file} failed: ${outcome.reason}`, 'nofearctl doctor');
  if (outcome.status === RENDER_FAILED)
    return new ConversionError('Unrenderable', `${spec.what} could not render ${spec.file}`, 'the document may be damaged; open it with nofear-open to look', untrustedTail);
  if (outcome.status === PASSWORD_REFUSED) return passwordRefused(spec.file, spec.password !== undefined, untrustedTail);
  if (outcome.status === TOOL_MISSING) return new ConversionError('ToolMissing', `${spec.what} found a tool missing in the VM`, 'nofearctl doctor', untrustedTail);
  return new ConversionError('GuestFailed', `${spec.what} for ${spec.file} ended with status ${outcome.status}`, undefined, untrustedTail);
}

/** Runs the job; `consume` reads its stdout and resolves once it has everything. */
export async function runGuestJob<T>(spec: GuestJobSpec, consume: (io: GuestJobIo) => Promise<T>): Promise<T> {
  const options = sandboxOptionsFrom(spec.config, conversionRequest(spec.argv, spec.export, spec.config), hooksFor(spec, [spec.file]));
  const ready = spec.takeReady?.(spec.export.bytes);
  try {
    const starting = (ready === undefined ? Sandbox.start(options) : runInReady(ready.sandbox, options, spec)).catch((error: unknown) => {
      // A stop during the boot ends the start wherever it got to: the caller's stop, not a VM that failed.
      throw spec.abort?.aborted === true ? stoppedJob(spec) : error;
    });
    return await withSandbox(starting, (sandbox) => {
      spec.onStarted?.(sandbox);
      return follow(spec, sandbox, consume);
    });
  } finally {
    ready?.release();
  }
}

/** The job in a ready VM of its shape: its export filled (as a cold VM's is before its boot), then the job sent. */
async function runInReady(sandbox: Sandbox, options: SandboxOptions, spec: GuestJobSpec): Promise<Sandbox> {
  try {
    spec.abort?.throwIfAborted();
    await spec.export.fill(sandbox.layout.exportDir);
    await sandbox.run(options.job, options.hooks.files);
    return sandbox;
  } catch (error) {
    await sandbox.discard();
    throw error;
  }
}

/** What watches a running job: its silence, its caller giving up, its stderr, and how it ended. */
class JobWatch {
  private silence: NodeJS.Timeout | undefined;
  private stalled = false;
  private lingering: NodeJS.Timeout | undefined;
  private lingered = false;
  /** However steadily it sends, a job ends by its deadline (JOB_DEADLINE_MS). */
  private readonly deadline: NodeJS.Timeout;
  private readonly deadlineMs: number;
  private timedOut = false;
  readonly tail = new StderrTail();
  ended: SandboxOutcome | undefined;

  constructor(
    private readonly spec: GuestJobSpec,
    private readonly sandbox: Sandbox,
  ) {
    void sandbox.outcome.then((outcome) => (this.ended = outcome));
    spec.abort?.addEventListener('abort', this.onAbort, { once: true });
    this.alive();
    this.deadlineMs = jobDeadlineMs(spec.env);
    this.deadline = setTimeout(() => {
      this.timedOut = true;
      void this.sandbox.stop();
    }, this.deadlineMs);
  }

  private readonly onAbort = () => void this.sandbox.stop();

  /** The guest said something: the silence deadline starts again. */
  alive = (): void => {
    clearTimeout(this.silence);
    this.silence = setTimeout(() => {
      this.stalled = true;
      void this.sandbox.stop();
    }, this.spec.silenceMs ?? SILENCE_DEADLINE_MS);
  };

  /** The host has read everything: the guest must end now, whatever it keeps sending or not. */
  confirmed(): void {
    this.lingering ??= setTimeout(() => {
      this.lingered = true;
      void this.sandbox.stop();
    }, END_AFTER_DONE_MS);
  }

  hearStderr(chunk: Buffer): void {
    this.alive();
    this.tail.push(chunk);
    const untrustedText = withoutPassword(chunk.toString('utf8'), this.spec.password);
    this.spec.log?.(`${this.spec.what} (the VM said): ${oneLine(untrustedText.trimEnd())}`);
  }

  /** Why the job was stopped by the host, if it was. */
  stopped(): ConversionError | undefined {
    const { what, file } = this.spec;
    if (this.timedOut) {
      return new ConversionError(
        'TimedOut',
        `${what} for ${file} was still running after ${Math.round(this.deadlineMs / 1000)} s, the most a conversion may take, and was stopped; nothing was written`,
        'split the document, or convert the pages you need',
      );
    }
    if (this.stalled) return new ConversionError('Stalled', `${what} for ${file} sent nothing for ${Math.round((this.spec.silenceMs ?? SILENCE_DEADLINE_MS) / 1000)} s and was stopped`);
    if (this.spec.abort?.aborted === true) return stoppedJob(this.spec);
    if (this.lingered) return new ConversionError('GuestFailed', `${what} for ${file} did not end within ${END_AFTER_DONE_MS / 1000} s of its last page and was stopped`);
    return undefined;
  }

  /** The guest's own failure, when it ended without success. */
  failure(): ConversionError | undefined {
    const outcome = this.ended;
    if (outcome === undefined || (outcome.kind === 'exited' && outcome.status === 0)) return undefined;
    return failureOf(this.spec, outcome, withoutPassword(this.tail.lastLine(), this.spec.password));
  }

  close(): void {
    clearTimeout(this.silence);
    clearTimeout(this.lingering);
    clearTimeout(this.deadline);
    this.spec.abort?.removeEventListener('abort', this.onAbort);
  }
}

async function follow<T>(spec: GuestJobSpec, sandbox: Sandbox, consume: (io: GuestJobIo) => Promise<T>): Promise<T> {
  const { stdin, stdout, stderr } = sandbox.ports;
  if (stdin === undefined || stdout === undefined || stderr === undefined) throw new Error('stdio ports missing');
  stdin.on('error', () => {}); // a guest gone early: its outcome says why
  stderr.on('error', () => {});
  const watch = new JobWatch(spec, sandbox);
  stderr.on('data', (chunk: Buffer) => watch.hearStderr(chunk));
  // Over the stdin port only: it waits in the port until the job reads it (convert.sh's first line).
  if (spec.password !== undefined) stdin.write(`${spec.password}\n`);
  try {
    const confirm = () => {
      watch.confirmed();
      stdin.write('done\n');
    };
    const consumed = consume({ chunks: () => chunksOf(stdout, watch.alive), confirm });
    consumed.catch(() => undefined); // raced below
    const first = await Promise.race([consumed.then(() => 'consumed' as const), sandbox.outcome.then(() => 'ended' as const)]);
    await sandbox.outcome;
    const refusal = watch.stopped() ?? watch.failure();
    if (refusal !== undefined) throw refusal;
    if (first === 'consumed') return await consumed;
    // The guest ended (after the host's "done", or without waiting for it): once QEMU is gone the port ends
    // after what it still holds, and the stream's own rules name anything missing or too much.
    await sandbox.stop();
    const bound = setTimeout(() => stdout.destroy(), 5000);
    try {
      return await consumed;
    } finally {
      clearTimeout(bound);
    }
  } catch (error) {
    // Named before the VM is stopped (its outcome then says "stopped"): the host's reason, the guest's, the stream's.
    const reason = watch.stopped() ?? watch.failure() ?? error;
    await sandbox.stop(); // a broken stream or a failure: the guest gets no further say
    throw reason;
  } finally {
    watch.close();
  }
}

/** The socket's chunks; a socket torn down with the VM simply ends the iteration. */
async function* chunksOf(socket: net.Socket, alive: () => void): AsyncIterable<Buffer> {
  try {
    for await (const chunk of socket as AsyncIterable<Buffer>) {
      alive();
      yield chunk;
    }
  } catch {
    // destroyed with the VM (ERR_STREAM_PREMATURE_CLOSE): what arrived is all there is
  }
}
