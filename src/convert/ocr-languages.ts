// Which languages the OCR reads: --ocr-lang, else [convert] ocr_languages, else the user's locale's
// language plus English, each where its tesseract data is installed (the OCR VM sees the host's /usr, so
// what is installed here is what the guest's tesseract has). Names are tesseract's ("deu", "chi_sim"),
// joined with "+"; the Debian package of one is tesseract-ocr-NAME with "_" as "-". Pure but for the
// directory listing at the end.
import { readdirSync } from 'node:fs';
import { invalidArgument, unavailable } from '../errors.js';

/** Where Debian (5.x, 4.00) and Fedora put the traineddata; all under /usr, which the guest shares. */
export const TESSDATA_DIRS = ['/usr/share/tesseract-ocr/5/tessdata', '/usr/share/tesseract-ocr/4.00/tessdata', '/usr/share/tesseract/tessdata'];

/** At most this many languages at once: each one slows tesseract down and costs the VM memory. */
const MAX_LANGUAGES = 6;
const NAME = /^[a-z]{3}(_[a-z]{2,8})?$/;
/** Tesseract's own data that is no language. */
const NOT_LANGUAGES = new Set(['osd', 'equ']);

/** ISO 639-1 (the locale's) to tesseract's ISO 639-2/T names, for the languages Debian packages. */
const FROM_LOCALE: Readonly<Record<string, string>> = {
  af: 'afr', ar: 'ara', bg: 'bul', bn: 'ben', ca: 'cat', cs: 'ces', cy: 'cym', da: 'dan', de: 'deu', el: 'ell', en: 'eng', eo: 'epo', es: 'spa', et: 'est', eu: 'eus', fa: 'fas',
  fi: 'fin', fr: 'fra', ga: 'gle', gl: 'glg', he: 'heb', hi: 'hin', hr: 'hrv', hu: 'hun', id: 'ind', is: 'isl', it: 'ita', ja: 'jpn', ko: 'kor', lt: 'lit', lv: 'lav', mk: 'mkd',
  ms: 'msa', mt: 'mlt', nb: 'nor', nl: 'nld', nn: 'nor', no: 'nor', pl: 'pol', pt: 'por', ro: 'ron', ru: 'rus', sk: 'slk', sl: 'slv', sq: 'sqi', sr: 'srp', sv: 'swe', th: 'tha',
  tr: 'tur', uk: 'ukr', vi: 'vie', zh: 'chi_sim',
}; // prettier-ignore

/** The Debian package that brings a language's data. */
export const debianPackageOf = (language: string): string => `tesseract-ocr-${language.replace(/_/g, '-')}`;

/** "deu+eng" as a list; a malformed list is an error naming the form. */
export function parseLanguages(text: string, from: string): string[] {
  const languages = text.trim().split('+');
  const bad = languages.find((language) => !NAME.test(language));
  if (bad !== undefined) {
    throw invalidArgument(`${from} takes tesseract language names joined with +, such as deu+eng; ${JSON.stringify(bad)} is none.`, 'nofear-open --convert --ocr-lang deu+eng FILE');
  }
  if (languages.length > MAX_LANGUAGES)
    throw invalidArgument(`${from} names ${languages.length} languages; at most ${MAX_LANGUAGES} at once.`, 'name the languages the document is in, e.g. --ocr-lang deu+eng');
  return [...new Set(languages)];
}

/** The locale's language as tesseract names it (LC_ALL, then LC_MESSAGES, then LANG), or undefined for C/POSIX. */
export function localeLanguage(env: NodeJS.ProcessEnv): string | undefined {
  const locale = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((value) => value !== undefined && value !== '');
  const code = /^([a-z]{2})(_|\.|@|$)/.exec(locale ?? '')?.[1];
  return code === undefined ? undefined : FROM_LOCALE[code];
}

/** The locale's language and English, those installed; English alone when neither is (the error then names it). */
export function defaultLanguages(env: NodeJS.ProcessEnv, installed: ReadonlySet<string>): string[] {
  const wanted = [...new Set([localeLanguage(env), 'eng'].filter((language): language is string => language !== undefined))];
  const present = wanted.filter((language) => installed.has(language));
  return present.length > 0 ? present : ['eng'];
}

export interface LanguageChoice {
  /** --ocr-lang's value, if given. */
  option?: string | undefined;
  /** [convert] ocr_languages, if set. */
  configured?: string | undefined;
  env: NodeJS.ProcessEnv;
  installed: ReadonlySet<string>;
}

/** The languages the OCR uses, as tesseract's -l takes them ("deu+eng"); a missing one names its package. */
export function chooseLanguages(choice: LanguageChoice): string {
  const languages =
    choice.option !== undefined
      ? parseLanguages(choice.option, '--ocr-lang')
      : choice.configured !== undefined && choice.configured !== ''
        ? parseLanguages(choice.configured, '[convert] ocr_languages')
        : defaultLanguages(choice.env, choice.installed);
  const missing = languages.filter((language) => !choice.installed.has(language));
  if (missing.length > 0) {
    throw unavailable(
      `The OCR has no data for ${missing.join(', ')} (installed: ${[...choice.installed].sort().join(', ') || 'none'}).`,
      `sudo apt-get install ${missing.map(debianPackageOf).join(' ')}`,
    );
  }
  return languages.join('+');
}

/** The languages whose traineddata is installed in the directories the guest sees. */
export function installedLanguages(dirs: readonly string[] = TESSDATA_DIRS): Set<string> {
  const found = new Set<string>();
  for (const dir of dirs) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue; // not this distribution's layout
    }
    for (const name of names) {
      const language = /^(.+)\.traineddata$/.exec(name)?.[1];
      if (language !== undefined && NAME.test(language) && !NOT_LANGUAGES.has(language)) found.add(language);
    }
  }
  return found;
}
