// doctor's OCR line: the languages tesseract has here (the OCR VM sees the same /usr), the ones --ocr
// uses by default, and the Debian package to install when the locale's language is missing.
import { debianPackageOf, defaultLanguages, installedLanguages, localeLanguage } from '../convert/ocr-languages.js';
import type { Check } from './doctor-check.js';

export function ocrLanguagesCheck(env: NodeJS.ProcessEnv, installed: ReadonlySet<string> = installedLanguages()): Check {
  const name = 'ocr languages';
  const list = [...installed].sort().join(', ');
  if (installed.size === 0) return { name, status: 'WARN', detail: 'tesseract has no language data: --convert --ocr cannot read text', fix: 'sudo apt-get install tesseract-ocr tesseract-ocr-eng' };
  const locale = localeLanguage(env);
  const used = `--ocr reads ${defaultLanguages(env, installed).join('+')} unless --ocr-lang or [convert] ocr_languages says otherwise`;
  if (locale !== undefined && !installed.has(locale)) {
    return { name, status: 'WARN', detail: `installed: ${list}; not your locale's language (${locale}); ${used}`, fix: `sudo apt-get install ${debianPackageOf(locale)}` };
  }
  return { name, status: 'OK', detail: `installed: ${list}; ${used}` };
}
