// The control port's protocol, host side: the job as lines for the guest agent (src/guest/agent.sh),
// and the guest's replies parsed as hostile input (bounded, strictly validated).

export const PROTOCOL_VERSION = 1;
/** Longest line the host accepts from the guest; anything longer is a protocol violation. */
export const MAX_GUEST_LINE = 256;

export interface GuestJob {
  argv: readonly string[];
  env: Readonly<Record<string, string>>;
  cwd?: string;
  user: 'user' | 'root';
  stdio: 'pipe' | 'tty' | 'none';
  hostname: string;
  winsize?: { rows: number; cols: number };
  /** Forward the command's windows (Xvfb + Xpra server in the guest). */
  gui?: boolean;
  sound?: boolean;
  /** The guest's Xpra server takes the clipboard from the host (to the guest only). */
  clipboard?: boolean;
  /** tty mode: the guest writes this after the command's output, so the host knows it has all of it. */
  endMarker?: string;
}

const b64 = (value: string) => Buffer.from(value, 'utf8').toString('base64');

/**
 * A value the agent can take as it is, one word of `read -r`: no space, quote, backslash, $, glob or
 * control character, and not empty. Anything else travels base64, which the agent decodes in a subshell
 * and a pipe (three forks, milliseconds each under TCG: nine per `nofear -t true` before this).
 */
const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** `VERB-word VALUE` for a plain value, else `VERB BASE64`. */
const valueLine = (verb: 'arg' | 'env', value: string) => (PLAIN_WORD.test(value) ? `${verb}-word ${value}` : `${verb} ${b64(value)}`);

export function encodeJob(job: GuestJob): string {
  if (job.argv.length === 0) throw new Error('a job needs a command');
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(job.hostname)) throw new Error(`bad guest hostname ${job.hostname}`);
  const lines: string[] = [];
  for (const arg of job.argv) lines.push(valueLine('arg', arg));
  for (const [key, value] of Object.entries(job.env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`bad environment variable name ${key}`);
    lines.push(valueLine('env', `${key}=${value}`));
  }
  if (job.cwd !== undefined) lines.push(`cwd ${b64(job.cwd)}`);
  lines.push(`user ${job.user}`, `stdio ${job.stdio}`, `hostname ${job.hostname}`);
  if (job.winsize !== undefined) lines.push(winsizeLine(job.winsize.rows, job.winsize.cols).trimEnd());
  // sound and clipboard before gui: the guest starts its GUI server as soon as it reads `gui 1`.
  if (job.sound === true) lines.push('sound 1');
  if (job.clipboard === true) lines.push('clipboard 1');
  if (job.gui === true) lines.push('gui 1');
  if (job.endMarker !== undefined) {
    if (!/^[0-9a-f]{16,64}$/.test(job.endMarker)) throw new Error('bad end marker');
    lines.push(`marker ${job.endMarker}`);
  }
  lines.push('run');
  return `${lines.join('\n')}\n`;
}

/**
 * What a VM is told before its job so that it gets ready for one: its GUI server started (a warm VM
 * does this while it waits; a cold one just ahead of the job, so the program and the server start
 * together).
 */
export function encodePrepare(prepare: { gui: boolean; sound: boolean; clipboard?: boolean; screen?: { width: number; height: number } }): string {
  const screen = prepare.screen === undefined ? [] : [`screen ${Math.trunc(prepare.screen.width)}x${Math.trunc(prepare.screen.height)}`];
  const lines = [...(prepare.gui ? screen : []), ...(prepare.sound ? ['sound 1'] : []), ...(prepare.gui && prepare.clipboard === true ? ['clipboard 1'] : []), ...(prepare.gui ? ['gui 1'] : [])];
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

export function winsizeLine(rows: number, cols: number): string {
  const clamp = (n: number) => Math.max(1, Math.min(9999, Math.trunc(n) || 1));
  return `winsize ${clamp(rows)} ${clamp(cols)}\n`;
}

export const POWEROFF_LINE = 'poweroff\n';

/** Highest request number the host gives a `launch`; the guest's `launched` must name one it was given. */
export const MAX_LAUNCH_SEQ = 999_999;

/**
 * While the job runs (a GUI job only): run another program on the job's display, as the job's user, with
 * the job's environment: a second link for the browser already running there. Each argument travels as one
 * base64 value (never through a shell); the guest answers `launched <seq>` once it has started it.
 */
export function encodeLaunch(argv: readonly string[], seq: number): string {
  if (argv.length === 0) throw new Error('a launch needs a command');
  if (!Number.isInteger(seq) || seq < 1 || seq > MAX_LAUNCH_SEQ) throw new Error(`bad launch number ${seq}`);
  return `${[...argv.map((arg) => `launch-arg ${b64(arg)}`), `launch ${seq}`].join('\n')}\n`;
}

export type GuestMessage =
  | { type: 'hello'; version: number }
  | { type: 'started' }
  | { type: 'progress'; step: GuestStep }
  | { type: 'exit'; status: number; stdoutBytes: number; stderrBytes: number }
  | { type: 'error'; reason: string }
  | { type: 'launched'; seq: number }
  | { type: 'invalid'; reason: string };

/** Steps the guest reports on its way to a window. */
export const GUEST_STEPS = ['gui-server'] as const;
export type GuestStep = (typeof GUEST_STEPS)[number];

const COUNT = /^(0|[1-9][0-9]{0,15})$/;

/** One line from the guest, already split at "\n". Never throws: bad input is an 'invalid' message. */
export function parseGuestLine(untrustedLine: string): GuestMessage {
  if (untrustedLine.length > MAX_GUEST_LINE) return { type: 'invalid', reason: 'line too long' };
  const words = untrustedLine.trim().split(/ +/);
  switch (words[0]) {
    case 'hello':
      return words.length === 2 && words[1] === String(PROTOCOL_VERSION) ? { type: 'hello', version: PROTOCOL_VERSION } : { type: 'invalid', reason: 'unsupported protocol version' };
    case 'started':
      return words.length === 1 ? { type: 'started' } : { type: 'invalid', reason: 'malformed started' };
    case 'progress': {
      const step = GUEST_STEPS.find((known) => known === words[1]);
      return words.length === 2 && step !== undefined ? { type: 'progress', step } : { type: 'invalid', reason: 'unknown progress step' };
    }
    case 'exit': {
      const [, status, out, err] = words;
      if (words.length !== 4 || !/^[0-9]{1,3}$/.test(status ?? '') || !COUNT.test(out ?? '') || !COUNT.test(err ?? '')) {
        return { type: 'invalid', reason: 'malformed exit' };
      }
      const code = Number(status);
      if (code > 255) return { type: 'invalid', reason: 'exit status out of range' };
      return { type: 'exit', status: code, stdoutBytes: Number(out), stderrBytes: Number(err) };
    }
    case 'launched': {
      const [, seq] = words;
      if (words.length !== 2 || !/^[1-9][0-9]{0,5}$/.test(seq ?? '')) return { type: 'invalid', reason: 'malformed launched' };
      return { type: 'launched', seq: Number(seq) };
    }
    case 'error': {
      const reason = (words[1] ?? '').replace(/[^a-z0-9-]/g, '').slice(0, 40);
      return { type: 'error', reason: reason === '' ? 'unknown' : reason };
    }
    default:
      return { type: 'invalid', reason: 'unknown message' };
  }
}

/** Splits a byte stream into lines, refusing to buffer more than MAX_GUEST_LINE bytes of one line. */
export class LineSplitter {
  private pending = '';
  private overflowed = false;

  push(chunk: Buffer, onLine: (line: string) => void): void {
    let text = this.pending + chunk.toString('latin1');
    let newline = text.indexOf('\n');
    while (newline >= 0) {
      const line = text.slice(0, newline);
      if (this.overflowed) this.overflowed = false;
      else onLine(line);
      text = text.slice(newline + 1);
      newline = text.indexOf('\n');
    }
    if (text.length > MAX_GUEST_LINE) {
      // Report once, then drop the rest of this line.
      if (!this.overflowed) onLine('x'.repeat(MAX_GUEST_LINE + 1));
      this.overflowed = true;
      text = '';
    }
    this.pending = text;
  }
}
