// One doctor check and how a list of them becomes doctor's exit status and output.
export type CheckStatus = 'OK' | 'WARN' | 'FAIL';

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

/** 0 when NoFear can run here; only a FAIL (a missing package, kernel or runtime dir) makes it 1. */
export function doctorExitStatus(checks: readonly Check[]): number {
  return checks.some((c) => c.status === 'FAIL') ? 1 : 0;
}

export function formatChecks(checks: readonly Check[]): string {
  const width = Math.max(0, ...checks.map((c) => c.name.length));
  const lines = checks.map((c) => `${c.status.padEnd(4)}  ${c.name.padEnd(width)}  ${c.detail}${c.fix && c.status !== 'OK' ? `\n      fix: ${c.fix}` : ''}`);
  const failed = checks.filter((c) => c.status === 'FAIL').length;
  const warned = checks.filter((c) => c.status === 'WARN').length;
  const verdict =
    failed > 0
      ? `NoFear cannot run here: ${failed} check${failed === 1 ? '' : 's'} failed (fixes above).`
      : `NoFear can run here${warned > 0 ? ` (${warned} warning${warned === 1 ? '' : 's'})` : ''}.`;
  return `${lines.join('\n')}\n${verdict}\n`;
}
