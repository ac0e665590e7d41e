// The password of protected documents asked on the desktop, for a --convert started from a file manager
// (no terminal to type at): the first prompt program installed (zenity, kdialog, the ssh-askpass family)
// runs as a supervised child with a deadline; the password is read from its stdout pipe only, checked as
// --password-stdin's line is, and never logged. None installed: an error naming the package to install.
import path from 'node:path';
import { NoFearError, unavailable } from '../errors.js';
import { runTool } from '../util/run.js';
import { findExecutable } from '../util/which.js';
import { passwordFromLine } from './password-input.js';

/** A person reads the question, finds the password and types it: long, but not for ever. */
export const PROMPT_DEADLINE_MS = 5 * 60_000;

export const NO_PROMPT_FIX = 'sudo apt install zenity (or kdialog, or ssh-askpass), or run nofear-open --convert --password-stdin FILE in a terminal';

/** The prompt programs NoFear knows, in order of preference, and how each is asked (its text in its argv: no secret there). */
const PROMPTS: ReadonlyArray<{ name: string; argv: (text: string) => string[] }> = [
  { name: 'zenity', argv: (text) => ['--password', '--title=NoFear: password', `--text=${text}`] },
  { name: 'kdialog', argv: (text) => ['--title', 'NoFear: password', '--password', text] },
  { name: 'ksshaskpass', argv: (text) => [text] },
  { name: 'lxqt-openssh-askpass', argv: (text) => [text] },
  { name: 'ssh-askpass', argv: (text) => [text] },
];

export interface PromptCommand {
  file: string;
  args: string[];
}

/** The first installed prompt program and its argv for the question; undefined when none is. */
export function promptCommand(find: (name: string) => string | undefined, text: string): PromptCommand | undefined {
  for (const prompt of PROMPTS) {
    const file = find(prompt.name);
    if (file !== undefined) return { file, args: prompt.argv(text) };
  }
  return undefined;
}

/** The question: which documents want it (at most a few named). */
export function promptText(files: readonly string[]): string {
  const names = files.slice(0, 3).map((file) => path.basename(file));
  const more = files.length > 3 ? ` and ${files.length - 3} more` : '';
  return `${names.join(', ')}${more} ${files.length === 1 ? 'is' : 'are'} protected by a password. Type it to convert ${files.length === 1 ? 'it' : 'them'} to a safe PDF (the password goes to the conversion VM only):`;
}

const cancelled = (program: string) =>
  new NoFearError('InvalidArgument', `No password was given at the desktop prompt (${program} was cancelled or closed): the protected documents were not converted.`, {
    fix: 'convert them again and type the password, or run nofear-open --convert --password-stdin FILE in a terminal',
  });

/** Asks on the desktop; resolves with the password, or rejects with a named error (no prompt program, cancelled, too slow); `signal` closes the prompt at once. */
export async function askPasswordOnDesktop(files: readonly string[], env: NodeJS.ProcessEnv, deadlineMs = PROMPT_DEADLINE_MS, signal?: AbortSignal): Promise<string> {
  const command = promptCommand((name) => findExecutable(name, env), promptText(files));
  if (command === undefined)
    throw unavailable('No desktop password prompt is installed (zenity, kdialog or ssh-askpass), so NoFear cannot ask for the password of the protected documents.', NO_PROMPT_FIX);
  const program = path.basename(command.file);
  const result = await runTool(command.file, command.args, { timeoutMs: deadlineMs, env, ...(signal === undefined ? {} : { signal }) });
  if (result.timedOut)
    throw new NoFearError('LimitReached', `The desktop password prompt (${program}) was left open for ${Math.round(deadlineMs / 60_000)} min and was closed.`, {
      fix: 'convert the documents again and type the password',
    });
  if (result.exitCode !== 0 || result.stdout === '') throw cancelled(program);
  return passwordFromLine(Buffer.from(`${result.stdout}\n`));
}
