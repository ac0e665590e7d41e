// --password-stdin: the protected PDFs' password, as one line from stdin, or typed at a prompt without
// echo when stdin is a terminal. It stays in this process's memory and goes only to the conversion VMs'
// stdin ports (convert/guest-job.ts): never into a file, an argv, the environment or a log line.
import { invalidArgument, NoFearError } from '../errors.js';

/** Longer than any password a person types; poppler reads at most 127 bytes of one anyway. */
export const MAX_PASSWORD_BYTES = 1024;

const TYPE_IT = 'run nofear-open --convert --password-stdin FILE in a terminal and type the password at its prompt';

/** The first line of what stdin gave (without its line end): the password, or an error naming what is wrong. */
export function passwordFromLine(bytes: Buffer): string {
  const end = bytes.indexOf(0x0a);
  let line = end === -1 ? bytes : bytes.subarray(0, end);
  if (line.at(-1) === 0x0d) line = line.subarray(0, -1);
  if (line.length === 0) throw invalidArgument('--password-stdin read no password: the first line on stdin is empty (or stdin is /dev/null).', TYPE_IT);
  if (line.length > MAX_PASSWORD_BYTES) throw invalidArgument(`--password-stdin read a line of over ${MAX_PASSWORD_BYTES} bytes: that is no password.`, TYPE_IT);
  if (line.includes(0)) throw invalidArgument('--password-stdin read a NUL byte: a PDF password cannot hold one.', TYPE_IT);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(line);
  } catch {
    throw invalidArgument('--password-stdin read a line that is not UTF-8 text.', TYPE_IT);
  }
}

export type Typing = { typed: string; state: 'typing' | 'entered' | 'cancelled' };

/** What the keys of one chunk of a raw terminal do to what is typed so far: Enter ends, Backspace erases, Ctrl-C or Ctrl-D on nothing cancel. */
export function typeKeys(typed: string, chunk: string): Typing {
  let text = typed;
  for (const key of chunk) {
    if (key === '\r' || key === '\n') return { typed: text, state: 'entered' };
    if (key === '\x03' || (key === '\x04' && text === '')) return { typed: '', state: 'cancelled' };
    if (key === '\x7f' || key === '\b') text = [...text].slice(0, -1).join('');
    else if (key === '\x15')
      text = ''; // Ctrl-U
    else if (key >= ' ') text += key;
  }
  return { typed: text, state: 'typing' };
}

const cancelled = () =>
  new NoFearError('InvalidArgument', 'No password was typed: the conversion did not start.', { fix: 'nofear-open --convert --password-stdin FILE, then type the password and Enter' });

/** Prompts on stderr and reads the keys from the terminal without echoing them. */
async function promptOnTerminal(stdin: NodeJS.ReadStream, stderr: NodeJS.WriteStream): Promise<string> {
  // Raw before the prompt shows: a key typed the moment it appears never meets a cooked terminal, which
  // would echo it, or turn Ctrl-C into a signal that ends nofear-open without its message.
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stderr.write('Password for the protected documents (not shown): ');
  let typing: Typing = { typed: '', state: 'typing' };
  try {
    for await (const chunk of stdin as AsyncIterable<string>) {
      typing = typeKeys(typing.typed, chunk);
      if (typing.state !== 'typing') break;
    }
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    stderr.write('\n');
  }
  if (typing.state !== 'entered') throw cancelled();
  return passwordFromLine(Buffer.from(typing.typed));
}

/** Reads stdin up to its first line end (or its end), then leaves the rest unread. */
async function firstLine(stdin: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stdin as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    length += chunk.length;
    if (chunk.includes(0x0a) || length > MAX_PASSWORD_BYTES + 2) break;
  }
  stdin.pause();
  return Buffer.concat(chunks);
}

export async function readPassword(stdin: NodeJS.ReadStream = process.stdin, stderr: NodeJS.WriteStream = process.stderr): Promise<string> {
  if (stdin.isTTY) return promptOnTerminal(stdin, stderr);
  return passwordFromLine(await firstLine(stdin));
}
