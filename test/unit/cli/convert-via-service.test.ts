// nofear-open --convert through the service: the options each planned file is converted with (what a
// conversion in this process would use, never a password), and each conversion's end read back from its
// sandbox's object (its safe PDF, or its failure by name). No bus here: e2e/warm-convert calls the real service.
import assert from 'node:assert/strict';
import { conversionOutcome, convertCallOptions, serviceConverter, ServiceConversionError } from '../../../src/cli/convert-via-service.js';
import type { ConvertPlan } from '../../../src/convert/convert-plan.js';

const plan = (parts: Partial<ConvertPlan>): ConvertPlan => ({ file: '/home/ann/a.pdf', outputDir: '/home/ann', ocr: false, ocrLanguages: 'eng', dpi: 150, ...parts }) as ConvertPlan; // only these are read

describe('cli/convert-via-service', () => {
  it("passes the plan's output folder, resolution, OCR languages (only with OCR) and JPEG choice, and asks for no notification", () => {
    assert.deepEqual(convertCallOptions(plan({})), { output: '/home/ann', ocr: false, dpi: 150, notify: false });
    assert.deepEqual(convertCallOptions(plan({ ocr: true, ocrLanguages: 'deu+eng', dpi: 300, cjpeg: '/usr/bin/cjpeg', outputDir: '/out' })), {
      output: '/out',
      ocr: true,
      ocrLanguages: 'deu+eng',
      dpi: 300,
      jpeg: true,
      notify: false,
    });
    assert.ok(!Object.keys(convertCallOptions(plan({}))).some((key) => /password/i.test(key)), 'no password option exists to pass');
  });

  it('reads a written safe PDF from Output and Pages, and an OCR that failed beside it', () => {
    assert.deepEqual(conversionOutcome('/a.pdf', { status: 0, output: '/a.safe.pdf', pages: 3, reason: '', failure: '' }), { output: '/a.safe.pdf', pages: 3 });
    assert.deepEqual(
      conversionOutcome('/a.pdf', { status: 0, output: '/a.safe.pdf', pages: 3, reason: 'tesseract ended with 1', failure: 'OcrFailed' }),
      { output: '/a.safe.pdf', pages: 3, ocrProblem: 'tesseract ended with 1' },
      'written without its text layer: the OCR’s failure comes with it',
    );
  });

  it('fails with the Reason and the failure by name; PasswordNeeded names --password-stdin', () => {
    assert.throws(
      () => conversionOutcome('/a b.pdf', { status: 125, output: '', pages: 0, reason: 'The document is protected (PasswordNeeded).', failure: 'PasswordNeeded' }),
      (error: unknown) =>
        error instanceof ServiceConversionError &&
        error.failure === 'PasswordNeeded' &&
        error.code === 'AccessDenied' &&
        /protected/.test(error.message) &&
        error.fix === "nofear-open --convert --password-stdin '/a b.pdf'",
    );
    assert.throws(
      () => conversionOutcome('/a.pdf', { status: 143, output: '', pages: 0, reason: '', failure: 'Stopped' }),
      (error: unknown) => error instanceof ServiceConversionError && error.failure === 'Stopped' && /stopped/.test(error.message) && /--no-service/.test(error.fix ?? ''),
    );
    // Gone before its properties were read, or a service without them: a failure all the same, never a success.
    assert.throws(
      () => conversionOutcome('/a.pdf', { status: 0, output: undefined, pages: undefined, reason: undefined, failure: undefined }),
      (error: unknown) => error instanceof ServiceConversionError && error.failure === '' && /named no safe PDF/.test(error.message),
    );
  });

  it('is none without a session bus: the conversions are this process’s', async () => {
    assert.equal(await serviceConverter({}), undefined);
  });
});
