// Which Xpra this host has, and whether NoFear's client policy (nofear_xpra/, subclasses of Xpra 3.1's
// client classes) knows it. No Xpra: opens show safe PDFs instead of windows. An Xpra the policy does not
// know is refused with a message, never run (its classes differ: the policy could silently not apply).
import { unavailable } from '../errors.js';
import { runTool } from '../util/run.js';
import { findExecutable } from '../util/which.js';

/** The Xpra versions the client policy was written and tested against (Debian 12: 3.1.3, sid: 3.1.5). */
export const KNOWN_XPRA = /^3\.1(\.\d+)?$/;

export type XpraState = { kind: 'missing' } | { kind: 'known'; path: string; version: string } | { kind: 'unknown'; path: string; version: string };

/** The verdict on a probed version ('' when Python could not even import it). */
export function xpraVerdict(path: string | undefined, version: string | undefined): XpraState {
  if (path === undefined || version === undefined) return { kind: 'missing' };
  return KNOWN_XPRA.test(version) ? { kind: 'known', path, version } : { kind: 'unknown', path, version: version === '' ? 'of an unknown version' : version };
}

/** The refusal for an Xpra the policy does not know: what is installed, what is known, what to do. */
export function unknownXpraError(state: { path: string; version: string }) {
  return unavailable(
    `Xpra ${state.version} (${state.path}) is installed, but NoFear's window policy is written for Xpra 3.1 and does not know this version, so it forwards no window through it.`,
    'convert the file to a safe PDF instead: nofear-open --convert FILE (or install Xpra 3.1, as Debian 12 ships it)',
  );
}

/** The host's xpra command and its Python package's version (the client runs /usr/bin/python3 with it). */
export async function probeXpra(env: NodeJS.ProcessEnv = process.env): Promise<XpraState> {
  const path = findExecutable(env.NOFEAR_XPRA ?? 'xpra', env);
  if (path === undefined) return { kind: 'missing' };
  const probe = await runTool('/usr/bin/python3', ['-c', 'import sys, xpra; sys.stdout.write(xpra.__version__)'], { timeoutMs: 15_000 });
  return xpraVerdict(path, probe.exitCode === 0 ? probe.stdout.trim().slice(0, 40) : undefined);
}
