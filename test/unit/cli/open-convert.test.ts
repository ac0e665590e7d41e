// nofear-open --convert's words for each phase of a conversion, and the options every file of a run is
// converted with, read from the command line and the settings.
import assert from 'node:assert/strict';
import { conversionOptions, progressText, serviceMayConvert } from '../../../src/cli/open-convert.js';
import { parseOpenArgs, type OpenArgs } from '../../../src/cli/nofear-open-args.js';
import { defaultConfig } from '../../../src/config/index.js';

function openArgs(argv: string[]): OpenArgs {
  const parsed = parseOpenArgs(argv);
  assert.equal(parsed.kind, 'open');
  return (parsed as { args: OpenArgs }).args;
}

describe('cli/open-convert', () => {
  it('names each phase, with the page once the count is known', () => {
    assert.equal(progressText('a.pdf', { phase: 'booting' }), 'a.pdf: booting a throwaway VM…');
    assert.equal(progressText('a.pdf', { phase: 'rendering', page: 0, pages: 0 }), 'a.pdf: rendering in the VM…');
    assert.equal(progressText('a.pdf', { phase: 'rendering', page: 2, pages: 9 }), 'a.pdf: page 2 of 9');
    assert.equal(progressText('a.pdf', { phase: 'ocr', page: 0, pages: 9 }), 'a.pdf: OCR in a second VM…');
    assert.equal(progressText('a.pdf', { phase: 'ocr', page: 3, pages: 9 }), 'a.pdf: OCR, page 3 of 9');
    assert.equal(progressText('a.pdf', { phase: 'writing' }), 'a.pdf: writing the safe PDF…');
  });

  it('takes the output folder, the size limit and --dpi as given, and no OCR languages without --ocr', () => {
    const config = defaultConfig();
    const env = { HOME: '/home/ann' };
    const options = conversionOptions(openArgs(['--convert', '--output', '/out', '--dpi', '150', 'a.pdf']), config, env);
    assert.equal(options.outputDir, '/out');
    assert.equal(options.ocr, false);
    assert.equal(options.dpi, 150);
    assert.equal(options.maxFileSizeBytes, config.open.maxFileSizeBytes);
    assert.equal('ocrLanguages' in options, false);
    assert.equal('cjpeg' in options, false, 'no JPEG encoder without --jpeg');
    const plain = conversionOptions(openArgs(['--convert', 'a.pdf']), config, env);
    assert.equal('dpi' in plain, false, 'the converter’s own resolution');
  });

  it('asks the service to convert unless --no-service, and never with a password (it must not go over the bus)', () => {
    assert.equal(serviceMayConvert(openArgs(['--convert', 'a.pdf']), undefined), true);
    assert.equal(serviceMayConvert(openArgs(['--convert', '--no-service', 'a.pdf']), undefined), false);
    assert.equal(serviceMayConvert(openArgs(['--convert', '--password-stdin', 'a.pdf']), 'secret'), false);
    assert.equal(serviceMayConvert(openArgs(['--convert', 'a.pdf']), ''), false, 'an empty password is a password');
  });
});
