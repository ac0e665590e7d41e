// The OCR's languages: the option, then config.ini, then the locale's language and English where they
// are installed; a missing one names its Debian package; doctor says the same.
import assert from 'node:assert/strict';
import { chooseLanguages, debianPackageOf, defaultLanguages, installedLanguages, localeLanguage, parseLanguages } from '../../../src/convert/ocr-languages.js';
import { ocrLanguagesCheck } from '../../../src/cli/doctor-ocr.js';

const installed = new Set(['eng', 'deu', 'chi_sim']);

describe('convert/ocr-languages', () => {
  it("reads the locale's language from LC_ALL, LC_MESSAGES, then LANG", () => {
    assert.equal(localeLanguage({ LANG: 'de_DE.UTF-8' }), 'deu');
    assert.equal(localeLanguage({ LANG: 'de_DE.UTF-8', LC_MESSAGES: 'fr_FR' }), 'fra');
    assert.equal(localeLanguage({ LANG: 'en_GB', LC_ALL: 'zh_CN.UTF-8' }), 'chi_sim');
    assert.equal(localeLanguage({ LANG: 'C.UTF-8' }), undefined);
    assert.equal(localeLanguage({}), undefined);
  });

  it("defaults to the locale's language plus English, those installed", () => {
    assert.deepEqual(defaultLanguages({ LANG: 'de_DE.UTF-8' }, installed), ['deu', 'eng']);
    assert.deepEqual(defaultLanguages({ LANG: 'fr_FR.UTF-8' }, installed), ['eng'], 'French is not installed');
    assert.deepEqual(defaultLanguages({ LANG: 'C' }, installed), ['eng']);
  });

  it('takes the option over config.ini over the default', () => {
    const env = { LANG: 'de_DE.UTF-8' };
    assert.equal(chooseLanguages({ option: 'chi_sim', configured: 'eng', env, installed }), 'chi_sim');
    assert.equal(chooseLanguages({ configured: 'eng', env, installed }), 'eng');
    assert.equal(chooseLanguages({ configured: '', env, installed }), 'deu+eng');
  });

  it('names the Debian package of a language that is not installed', () => {
    assert.throws(
      () => chooseLanguages({ option: 'fra+eng', env: {}, installed }),
      (error: Error & { fix?: string }) => {
        assert.match(error.message, /no data for fra/);
        assert.equal(error.fix, 'sudo apt-get install tesseract-ocr-fra');
        return true;
      },
    );
    assert.equal(debianPackageOf('chi_sim'), 'tesseract-ocr-chi-sim');
  });

  it('refuses names that are not language names, and too many', () => {
    assert.throws(() => parseLanguages('deu,eng', '--ocr-lang'), /"deu,eng" is none/);
    assert.throws(() => parseLanguages('../../etc', '--ocr-lang'), /is none/);
    assert.throws(() => parseLanguages('aaa+bbb+ccc+ddd+eee+fff+ggg', '--ocr-lang'), /at most 6/);
    assert.deepEqual(parseLanguages('deu+eng+deu', '--ocr-lang'), ['deu', 'eng']);
  });

  it('finds the installed traineddata (make deps installs English and German)', () => {
    const here = installedLanguages();
    assert.ok(here.has('eng') && here.has('deu'), [...here].join(' '));
    assert.ok(!here.has('osd'), 'orientation data is no language');
  });

  it("doctor lists them, and the locale's missing package", () => {
    const german = ocrLanguagesCheck({ LANG: 'de_DE.UTF-8' }, installed);
    assert.equal(german.status, 'OK');
    assert.match(german.detail, /installed: chi_sim, deu, eng; --ocr reads deu\+eng/);
    const french = ocrLanguagesCheck({ LANG: 'fr_FR.UTF-8' }, installed);
    assert.equal(french.status, 'WARN');
    assert.equal(french.fix, 'sudo apt-get install tesseract-ocr-fra');
  });
});
