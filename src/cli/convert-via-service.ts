// nofear-open --convert through the session service (org.nofear.NoFear, started by D-Bus activation if
// needed): its Convert takes a ready conversion VM when the pool has one, where a conversion in this
// process always boots its own. What goes over the bus is what this process planned: each file (folders
// are walked here), its output folder, the OCR's languages, the resolution and the JPEG choice; never a
// password (a run with --password-stdin, and the protected documents a desktop prompt unlocks, convert
// in this process). No session bus, or no service to be had on it: the caller converts in this process.
import { randomBytes } from 'node:crypto';
import { NoFearError } from '../errors.js';
import type { ConvertPlan } from '../convert/convert-plan.js';
import { NoFearClient, serviceMissing, type ConvertCallOptions } from '../service/bus/client.js';
import { sandboxIdOf } from '../service/bus/names.js';
import { STOPPED_STATUS } from '../sandbox/launch.js';
import { shellWord } from '../util/shell-word.js';

/** What a conversion in the service left: its safe PDF, its pages, and how long it took from the call. */
export interface ServiceConversion {
  output: string;
  pages: number;
  /** Why the OCR asked for failed (the safe PDF has no text layer then). */
  ocrProblem?: string;
  ms: number;
  /** The sandbox the service ran it in (a ready VM's id when the pool had one). */
  id: string;
}

/** A conversion the service ended without a safe PDF; `failure` is its name (PasswordNeeded…), '' without one. */
export class ServiceConversionError extends NoFearError {
  constructor(
    readonly failure: string,
    message: string,
    file: string,
  ) {
    const password = failure === 'PasswordNeeded' || failure === 'WrongPassword';
    super(password ? 'AccessDenied' : 'Failed', message, { fix: `nofear-open --convert ${password ? '--password-stdin' : '--no-service --verbose'} ${shellWord(file)}` });
    this.name = 'ServiceConversionError';
  }
}

/** Convert's options for one planned file: exactly what a conversion in this process would use. */
export function convertCallOptions(plan: ConvertPlan): ConvertCallOptions {
  return {
    output: plan.outputDir,
    ocr: plan.ocr,
    ...(plan.ocr ? { ocrLanguages: plan.ocrLanguages } : {}),
    dpi: plan.dpi,
    ...(plan.cjpeg === undefined ? {} : { jpeg: true }),
    notify: false, // this process tells the batch's progress and outcome itself
  };
}

/** What the sandbox's object said once it ended. */
export interface EndedConversion {
  status: number;
  output: unknown;
  pages: unknown;
  reason: unknown;
  failure: unknown;
}

/** A conversion's end as the service told it: its safe PDF, or the error to report for the file. Pure. */
export function conversionOutcome(file: string, ended: EndedConversion): { output: string; pages: number; ocrProblem?: string } {
  const { status, output, pages, reason, failure } = ended;
  if (status === 0 && typeof output === 'string' && output !== '' && typeof pages === 'number') {
    // Written, but the OCR failed: the safe PDF has no text layer, which the caller tells.
    return { output, pages, ...(failure === 'OcrFailed' ? { ocrProblem: typeof reason === 'string' && reason !== '' ? reason : 'the OCR failed' } : {}) };
  }
  const name = typeof failure === 'string' ? failure : '';
  if (status === 0) throw new ServiceConversionError(name, 'The NoFear service said the conversion succeeded but named no safe PDF (a service older than its Output property).', file);
  const why = typeof reason === 'string' && reason !== '' ? reason : status === STOPPED_STATUS ? 'It was stopped.' : `The NoFear service's conversion ended with status ${status}.`;
  throw new ServiceConversionError(name, why, file);
}

/** Its exit, once heard (the signal may come before Convert's reply). */
class Exits {
  private readonly statuses = new Map<string, number>();
  private readonly waiters = new Map<string, (status: number) => void>();
  private goneError: Error | undefined;
  private readonly failers = new Set<(error: Error) => void>();

  heard(objectPath: string, status: number): void {
    this.statuses.set(objectPath, status);
    this.waiters.get(objectPath)?.(status);
  }

  /** The service lost its name: every wait ends with `error`. */
  gone(error: Error): void {
    this.goneError = error;
    for (const failer of this.failers) failer(error);
  }

  of(objectPath: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const known = this.statuses.get(objectPath);
      if (known !== undefined) return resolve(known);
      if (this.goneError !== undefined) return reject(this.goneError);
      const failer = (error: Error) => reject(error);
      this.failers.add(failer);
      this.waiters.set(objectPath, (status) => {
        this.waiters.delete(objectPath);
        this.failers.delete(failer);
        resolve(status);
      });
    });
  }
}

export interface ServiceConverter {
  /** Converts one planned file in the service; undefined when there is no service to be had (convert it here). */
  convert(plan: ConvertPlan, abort: AbortSignal): Promise<ServiceConversion | undefined>;
  close(): Promise<void>;
}

/** A converter on the session bus, or undefined when there is none (the caller converts in this process). */
export async function serviceConverter(env: NodeJS.ProcessEnv): Promise<ServiceConverter | undefined> {
  if (!env.DBUS_SESSION_BUS_ADDRESS) return undefined;
  const client = NoFearClient.connect(env);
  if (client === undefined) return undefined;
  const exits = new Exits();
  let stopFollowing: () => Promise<void>;
  let service: Awaited<ReturnType<NoFearClient['serviceGone']>>;
  try {
    stopFollowing = await client.follow((objectPath, event) => {
      if (event.kind === 'exited') exits.heard(objectPath, event.status);
    });
    service = await client.serviceGone();
  } catch {
    client.close();
    return undefined; // a bus that does not answer: convert here
  }
  void service.promise.then(() => exits.gone(new NoFearError('Unavailable', 'The NoFear service ended before the conversion did.', { fix: 'nofearctl doctor' })));
  return {
    async convert(plan, abort) {
      const started = Date.now();
      let objectPath: string | undefined;
      // Ctrl-C, a signal: the service's VM goes as one of this process's would. Before Convert's reply this
      // process knows no sandbox, only the id it sent: Cancel takes the call back by it.
      const request = randomBytes(16).toString('hex');
      const cancel = () => void client.cancel(request);
      abort.addEventListener('abort', cancel, { once: true });
      try {
        [objectPath] = await client.convert([plan.file], { ...convertCallOptions(plan), request });
      } catch (error) {
        abort.removeEventListener('abort', cancel);
        if (serviceMissing(error)) return undefined;
        throw error;
      }
      if (objectPath === undefined) throw new NoFearError('Failed', `${plan.file}: the NoFear service started no conversion for it.`, { fix: 'nofearctl doctor' });
      const id = sandboxIdOf(objectPath) ?? '';
      // Once the sandbox is known it is also stopped by id (a service without Cancel).
      const stop = () => void client.stopSandbox(id);
      if (abort.aborted) stop();
      else abort.addEventListener('abort', stop, { once: true });
      try {
        const status = await exits.of(objectPath);
        const [output, pages, reason, failure] = await Promise.all(['Output', 'Pages', 'Reason', 'Failure'].map((name) => client.sandboxProperty(objectPath ?? '', name)));
        return { ...conversionOutcome(plan.file, { status, output, pages, reason, failure }), ms: Date.now() - started, id };
      } finally {
        abort.removeEventListener('abort', stop);
        abort.removeEventListener('abort', cancel);
      }
    },
    async close() {
      await stopFollowing().catch(() => undefined);
      await service.stop().catch(() => undefined);
      client.close();
    },
  };
}
