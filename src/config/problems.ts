// Config problems as people read them ("FILE:LINE: ...") and as typed NoFear errors.
import { NoFearError } from '../errors.js';
import type { ConfigProblem } from './types.js';

export function formatProblem(problem: ConfigProblem): string {
  const where = problem.line === undefined ? problem.origin : `${problem.origin}:${problem.line}`;
  return `${where}: ${problem.message}`;
}

/** For callers that must refuse rather than carry on with defaults (a strict check, a D-Bus reply). */
export function problemError(problem: ConfigProblem): NoFearError {
  const fix = problem.origin.startsWith('env ')
    ? `unset ${problem.origin.slice(4)}, or set it to an allowed value`
    : `edit ${problem.origin}${problem.line === undefined ? '' : ` (line ${problem.line})`}`;
  return new NoFearError(problem.code, formatProblem(problem), { fix });
}

/** Problems in file order; those without a line (an unreadable file, the environment) last. */
export function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  const order = (p: ConfigProblem) => p.line ?? Number.MAX_SAFE_INTEGER;
  return [...problems].sort((a, b) => order(a) - order(b));
}
