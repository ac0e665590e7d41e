// The ways a conversion ends without a safe PDF, each with its own name: the guest broke the pixel
// stream's rules (hostile or broken), the document could not be rendered, or the guest went silent.
import { NoFearError } from '../errors.js';
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

export type ConversionFailure = 'Unrenderable' | 'ToolMissing' | 'Stalled' | 'GuestFailed' | 'Stopped' | 'OcrFailed';

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
    super(failure === 'ToolMissing' ? 'Unavailable' : 'Failed', `${message} (${failure})${said === '' ? '' : `; ${said}`}.`, fix === undefined ? {} : { fix });
    this.name = 'ConversionError';
  }
}
