// Typed errors: one code per failure class, a message that says what happened and how to fix it.
// The same codes name the D-Bus errors (org.nofear.NoFear1.Error.<code>) and make the CLI exit 125.

export type ErrorCode = 'InvalidArgument' | 'NotFound' | 'NoViewer' | 'LimitReached' | 'Unavailable' | 'AccessDenied' | 'Failed';

export class NoFearError extends Error {
  readonly code: ErrorCode;
  /** A command or action that fixes the problem, shown on its own line. */
  readonly fix: string | undefined;

  constructor(code: ErrorCode, message: string, options: { fix?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NoFearError';
    this.code = code;
    this.fix = options.fix;
  }

  /** What a person reads, on one line: the problem, then the fix. */
  describe(): string {
    return this.fix === undefined ? this.message : `${this.message} Fix: ${this.fix}`;
  }
}

export const invalidArgument = (message: string, fix?: string) => new NoFearError('InvalidArgument', message, fix === undefined ? {} : { fix });
export const notFound = (message: string, fix?: string) => new NoFearError('NotFound', message, fix === undefined ? {} : { fix });
export const unavailable = (message: string, fix?: string) => new NoFearError('Unavailable', message, fix === undefined ? {} : { fix });
export const limitReached = (message: string, fix?: string) => new NoFearError('LimitReached', message, fix === undefined ? {} : { fix });
export const accessDenied = (message: string, fix?: string) => new NoFearError('AccessDenied', message, fix === undefined ? {} : { fix });

export function isNoFearError(error: unknown): error is NoFearError {
  return error instanceof NoFearError;
}
