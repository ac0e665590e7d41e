// Environment overrides on top of config.ini (NOFEAR_ACCEL), recorded as their own source.
import { sortProblems } from './problems.js';
import { parseChoice } from './values.js';
import type { Accel, ConfigResult } from './types.js';
import type { Env } from '../util/xdg.js';

const ACCELS: readonly Accel[] = ['auto', 'kvm', 'tcg'];

/** A new result with the overrides applied; unset or empty variables change nothing. */
export function applyEnvOverrides(result: ConfigResult, env: Env = process.env): ConfigResult {
  const raw = env.NOFEAR_ACCEL;
  if (raw === undefined || raw === '') return result;
  const origin = 'env NOFEAR_ACCEL';
  const accel = parseChoice(raw, ACCELS);
  if (accel.ok) {
    return {
      config: { ...result.config, vm: { ...result.config.vm, accel: accel.value } },
      sources: { ...result.sources, 'vm.accel': origin },
      problems: result.problems,
    };
  }
  const kept = `${result.config.vm.accel} (${result.sources['vm.accel'] ?? 'default'})`;
  return {
    ...result,
    problems: sortProblems([
      ...result.problems,
      {
        code: 'InvalidArgument',
        origin,
        setting: 'vm.accel',
        message: `NOFEAR_ACCEL=${JSON.stringify(raw)} is not allowed: use auto, kvm or tcg. Keeping vm.accel = ${kept}.`,
      },
    ]),
  };
}
