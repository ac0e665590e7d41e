// Turns a desktop entry's Exec value into argv lists per the Desktop Entry spec, without ever involving a shell:
// a file name is substituted into exactly one argv element, whatever characters it holds.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { invalidArgument, type NoFearError } from '../errors.js';

export interface ExecToken {
  text: string;
  /** Written in double quotes: field codes for files are refused inside (the spec leaves them undefined). */
  quoted: boolean;
}

export interface ExecContext {
  /** Absolute paths or URIs (for NoFear: the staged copies, or an http(s) URL for a browser). */
  files: readonly string[];
  /** Translated Name, for %c. */
  name?: string | undefined;
  /** Icon key, for %i. */
  icon?: string | undefined;
  /** The desktop file's location, for %k. */
  location?: string | undefined;
}

// Reserved characters must be quoted; unquoted, they mean the entry expects a shell, which the guest never uses.
const RESERVED = new Set([' ', '\t', '\n', '"', "'", '\\', '>', '<', '~', '|', '&', ';', '$', '*', '?', '#', '(', ')', '`']);
const QUOTED_ESCAPABLE = new Set(['"', '`', '$', '\\']);
const FILE_CODES = new Set(['f', 'F', 'u', 'U']);
const DEPRECATED_CODES = new Set(['d', 'D', 'n', 'N', 'v', 'm']);
const KNOWN_CODES = new Set([...FILE_CODES, ...DEPRECATED_CODES, 'i', 'c', 'k', '%']);

// Programs that execute the argument after one of these options as code: a file name must never land inside it.
const CODE_OPTIONS: ReadonlyArray<[RegExp, RegExp]> = [
  [/^(sh|bash|dash|zsh|ksh|mksh|ash|fish|busybox)$/, /^-[a-zA-Z]*c[a-zA-Z]*$/],
  [/^python[0-9.]*$/, /^-c$/],
  [/^(perl|ruby|node|nodejs)[0-9.]*$/, /^-[eE]$/],
];

function invalid(exec: string, problem: string): NoFearError {
  return invalidArgument(`Invalid Exec line ${JSON.stringify(exec)}: ${problem}.`, 'Fix the desktop entry (desktop-file-validate shows the rules), or pick another viewer with --with.');
}

/** Splits Exec into arguments per the spec's quoting rules; refuses what the rules do not allow. */
export function splitExec(exec: string): ExecToken[] {
  const tokens: ExecToken[] = [];
  let i = 0;
  while (i < exec.length) {
    if (exec[i] === ' ') {
      i++;
      continue;
    }
    let text = '';
    if (exec[i] === '"') {
      i++;
      for (;;) {
        const c = exec[i];
        if (c === undefined) throw invalid(exec, 'a double quote is never closed');
        if (c === '"') break;
        if (c === '\\') {
          const next = exec[i + 1];
          if (next === undefined || !QUOTED_ESCAPABLE.has(next)) throw invalid(exec, 'inside quotes a backslash may only escape " ` $ or \\');
          text += next;
          i += 2;
          continue;
        }
        if (c === '`' || c === '$') throw invalid(exec, `${c} inside quotes must be escaped with a backslash`);
        text += c;
        i++;
      }
      i++;
      if (i < exec.length && exec[i] !== ' ') throw invalid(exec, 'a quoted argument must be quoted as a whole');
      tokens.push({ text, quoted: true });
      continue;
    }
    while (i < exec.length && exec[i] !== ' ') {
      const c = exec[i] ?? '';
      if (RESERVED.has(c)) throw invalid(exec, `the reserved character ${JSON.stringify(c)} must be inside double quotes`);
      text += c;
      i++;
    }
    tokens.push({ text, quoted: false });
  }
  if (tokens.length === 0) throw invalid(exec, 'it names no program');
  return tokens;
}

function fieldCodes(exec: string, token: ExecToken): string[] {
  const codes: string[] = [];
  for (let i = 0; i < token.text.length; i++) {
    if (token.text[i] !== '%') continue;
    const code = token.text[i + 1];
    if (code === undefined || !KNOWN_CODES.has(code)) {
      throw invalid(exec, code === undefined ? 'it ends with a lone %' : `%${code} is not a field code of the spec (write %% for a literal %)`);
    }
    codes.push(code);
    i++;
  }
  return codes;
}

/** Checks the whole line once, so that a bad line is refused whatever files are given. */
function validate(exec: string, tokens: readonly ExecToken[]): string | undefined {
  const perToken = tokens.map((token) => fieldCodes(exec, token));
  const fileCodes = perToken.flat().filter((code) => FILE_CODES.has(code));
  if (fileCodes.length > 1) throw invalid(exec, 'it may hold at most one of %f %F %u %U');
  tokens.forEach((token, index) => {
    const codes = perToken[index] ?? [];
    if (index === 0 && codes.some((code) => code !== '%')) throw invalid(exec, 'the program itself cannot be a field code');
    for (const code of codes) {
      if (token.quoted && (FILE_CODES.has(code) || code === 'i')) throw invalid(exec, `%${code} cannot be used inside quotes`);
      if ((code === 'F' || code === 'U' || code === 'i') && token.text !== `%${code}`) {
        throw invalid(exec, `%${code} must be an argument on its own`);
      }
    }
  });
  const program = programIndex(tokens);
  const name = path.posix.basename(tokens[program]?.text ?? '');
  const rule = CODE_OPTIONS.find(([programRe]) => programRe.test(name));
  if (rule !== undefined) {
    tokens.forEach((token, index) => {
      const code = tokens[index + 1];
      if (index > program && rule[1].test(token.text) && code !== undefined && /%[fFuU]/.test(code.text)) {
        throw invalid(exec, `${name} ${token.text} would run the file name as code`);
      }
    });
  }
  return fileCodes[0];
}

/** Splits and validates Exec once: the tokens, and which of %f %F %u %U it uses (if any). */
export function parseExec(exec: string): { tokens: readonly ExecToken[]; fileCode: string | undefined } {
  const tokens = splitExec(exec);
  return { tokens, fileCode: validate(exec, tokens) };
}

/** Index of the real program: `env VAR=value prog` runs `prog`. */
export function programIndex(tokens: readonly ExecToken[]): number {
  if (path.posix.basename(tokens[0]?.text ?? '') !== 'env') return 0;
  let index = 1;
  while (tokens[index] !== undefined && /^[A-Za-z_][A-Za-z0-9_]*=/.test(tokens[index]?.text ?? '')) index++;
  return index < tokens.length ? index : 0;
}

function isUri(value: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(value);
}

function asArgument(exec: string, file: string, code: string): string {
  if (file.includes('\0')) throw invalidArgument(`A file name holds a NUL byte, which no program argument can carry.`);
  const wantsPath = code === 'f' || code === 'F';
  if (isUri(file)) {
    if (!wantsPath) return file;
    if (!file.toLowerCase().startsWith('file:')) {
      throw invalid(exec, `it takes local files (%${code}), not a URL like ${JSON.stringify(file.slice(0, 80))}`);
    }
    return fileURLToPath(file);
  }
  // An absolute path can never be mistaken for an option, whatever the base name (e.g. `-rf.pdf`).
  if (!path.posix.isAbsolute(file)) throw invalidArgument(`${JSON.stringify(file)} is not an absolute path.`, 'Pass absolute paths or URIs.');
  return file;
}

function expandToken(exec: string, token: ExecToken, files: readonly string[], fileCode: string, ctx: ExecContext): string[] {
  if (!token.quoted && (token.text === '%F' || token.text === '%U')) return files.map((file) => asArgument(exec, file, fileCode));
  if (!token.quoted && token.text === '%i') return ctx.icon === undefined || ctx.icon === '' ? [] : ['--icon', ctx.icon];
  let out = '';
  let hadCode = false;
  for (let i = 0; i < token.text.length; i++) {
    const c = token.text[i] ?? '';
    if (c !== '%') {
      out += c;
      continue;
    }
    const code = token.text[++i] ?? '';
    if (code === '%') {
      out += '%';
      continue;
    }
    hadCode = true;
    if (code === 'f' || code === 'u') out += files[0] === undefined ? '' : asArgument(exec, files[0], fileCode);
    else if (code === 'c') out += ctx.name ?? '';
    else if (code === 'k') out += ctx.location ?? '';
    // Deprecated codes expand to nothing, as the spec asks.
  }
  // An unquoted argument that was only field codes and expanded to nothing disappears (e.g. `%f` with no file).
  return !token.quoted && hadCode && out === '' ? [] : [out];
}

/**
 * Expands Exec into one argv per launch. `%f`/`%u` take one file, so several files mean several launches
 * (the spec's "launch once per file"); `%F`/`%U` take them all at once. An Exec without a file code gets the
 * files appended as if it ended in `%f`, as GLib and KDE do.
 */
export function expandExec(exec: string, ctx: ExecContext): string[][] {
  const parsed = parseExec(exec);
  const tokens = [...parsed.tokens];
  let fileCode = parsed.fileCode;
  if (fileCode === undefined && ctx.files.length > 0) {
    tokens.push({ text: '%f', quoted: false });
    fileCode = 'f';
  }
  const launches: ReadonlyArray<readonly string[]> = (fileCode === 'f' || fileCode === 'u') && ctx.files.length > 1 ? ctx.files.map((file) => [file]) : [ctx.files];
  return launches.map((files) => tokens.flatMap((token) => expandToken(exec, token, files, fileCode ?? 'f', ctx)));
}
