// NoFear's version, from the package.json that ships beside dist/ in every install (checkout, make install,
// npm, .deb), and the --help/--version answers every command shares.
import { readFileSync } from 'node:fs';
import { renderHelp } from './help.js';
import type { ParseResult } from './grammar.js';

const PACKAGE_JSON = new URL('../../package.json', import.meta.url);

export function nofearVersion(): string {
  const parsed: unknown = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8'));
  const version = typeof parsed === 'object' && parsed !== null && 'version' in parsed ? parsed.version : undefined;
  return typeof version === 'string' ? version : 'unknown';
}

/** Prints the help or the version when that is what was asked, and says whether it was. */
export function answeredHelpOrVersion(result: ParseResult, write: (text: string) => void = (t) => process.stdout.write(t)): result is Exclude<ParseResult, { kind: 'run' }> {
  if (result.kind === 'help') write(renderHelp(result.command));
  else if (result.kind === 'version') write(`${result.command.path[0] ?? 'nofear'} ${nofearVersion()}\n`);
  return result.kind !== 'run';
}
