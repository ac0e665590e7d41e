// The ways a conversion ends without a safe PDF, each with its own name: the guest broke the pixel
// stream's rules (hostile or broken), the document could not be rendered, or the guest went silent.
import { NoFearError, type ErrorCode } from '../errors.js';
import { shellWord } from '../util/shell-word.js';
import { vmSaid } from '../util/vm-words.js';

/** A rule of the pixel stream that the guest broke; the name is part of the message. */
export type PixelViolation = 'BadHeader' | 'NoPages' | 'TooManyPages' | 'PageTooLarge' | 'TooManyBytes' | 'TruncatedPage' | 'MissingPages' | 'UnannouncedData';

const OVER_A_LIMIT: ReadonlySet<PixelViolation> = new Set(['TooManyPages', 'PageTooLarge', 'TooManyBytes']);

/** The guest's pixel stream broke a rule: the conversion stops there and nothing is written. */
export class PixelStreamError extends NoFearError {
  constructor(
    readonly violation: PixelViolation,
    detail: string,
  ) {
    super(OVER_A_LIMIT.has(violation) ? 'LimitReached' : 'Failed', `The converter in the VM ${detail} (${violation}); the conversion was stopped and nothing was written.`, {
      fix: OVER_A_LIMIT.has(violation)
        ? 'split the document, or convert the pages you need (e.g. print them to a smaller PDF in NoFear first)'
        : 'the document may be damaged or hostile: keep it closed',
    });
    this.name = 'PixelStreamError';
  }
}

export type ConversionFailure = 'Unrenderable' | 'ToolMissing' | 'Stalled' | 'TimedOut' | 'DiskFull' | 'GuestFailed' | 'Stopped' | 'OcrFailed' | 'PasswordNeeded' | 'WrongPassword';

const CODE_OF: Partial<Record<ConversionFailure, ErrorCode>> = {
  ToolMissing: 'Unavailable',
  DiskFull: 'Unavailable',
  TimedOut: 'LimitReached',
  PasswordNeeded: 'AccessDenied',
  WrongPassword: 'AccessDenied',
};

/** The conversion ended without pixels for every page, for a reason other than a broken stream. */
export class ConversionError extends NoFearError {
  /** `untrustedVmWords`: what the guest printed, quoted after NoFear's own words as the VM's, never as NoFear's. */
  constructor(
    readonly failure: ConversionFailure,
    message: string,
    fix?: string,
    untrustedVmWords = '',
  ) {
    const said = vmSaid(untrustedVmWords);
    super(CODE_OF[failure] ?? 'Failed', `${message} (${failure})${said === '' ? '' : `; ${said}`}.`, fix === undefined ? {} : { fix });
    this.name = 'ConversionError';
  }
}

/**
 * A protected document: no password was given, or the one given does not open it. The guest says which
 * by its exit status only; the host knows whether it gave one, so a guest cannot make one look like the other.
 */
export function passwordRefused(file: string, given: boolean, untrustedVmWords: string): ConversionError {
  const command = `nofear-open --convert --password-stdin ${shellWord(file)}`;
  return given
    ? new ConversionError('WrongPassword', `The password given does not open ${file}`, `check the password (its case, the keyboard layout) and type it again: ${command}`, untrustedVmWords)
    : new ConversionError(
        'PasswordNeeded',
        `${file} is protected by a password, and none was given`,
        `give the password on stdin (a terminal prompts for it without echo): ${command}`,
        untrustedVmWords,
      );
}
