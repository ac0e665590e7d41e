// Whether nofear-open was started from the desktop (a file manager's menu, a .desktop Exec line) rather
// than from a terminal or a script: then nobody can type at a terminal, and whatever NoFear asks or tells
// goes through the desktop (a password prompt, a notification whose buttons it stays to hear).
import { fstatSync, statSync } from 'node:fs';

export interface LaunchFacts {
  stdinIsTerminal: boolean;
  /** stdin is /dev/null: what a file manager gives the programs it starts (a script's pipe or file is not). */
  stdinIsDevNull: boolean;
  env: NodeJS.ProcessEnv;
}

/** From the desktop: no terminal, stdin /dev/null, and a display to show a prompt or a notification on. */
export function fromDesktop(facts: LaunchFacts): boolean {
  const display = (facts.env.DISPLAY ?? '') !== '' || (facts.env.WAYLAND_DISPLAY ?? '') !== '';
  return !facts.stdinIsTerminal && facts.stdinIsDevNull && display;
}

/** Whether descriptor `fd` is /dev/null (the same character device). */
export function isDevNull(fd: number): boolean {
  try {
    const stat = fstatSync(fd);
    return stat.isCharacterDevice() && stat.rdev === statSync('/dev/null').rdev;
  } catch {
    return false; // closed: nothing to read either way, but no sign of a file manager
  }
}

/** This process's facts. */
export function launchFacts(env: NodeJS.ProcessEnv = process.env): LaunchFacts {
  return { stdinIsTerminal: process.stdin.isTTY === true, stdinIsDevNull: isDevNull(0), env };
}
