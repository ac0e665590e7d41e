// doctor's accelerator line: the program's own decision (NOFEAR_ACCEL, [vm] accel, the probe), a forced
// KVM checked rather than trusted, and this machine's measured times instead of figures from elsewhere.
import type { AccelChoice } from '../vm/accel.js';
import { usualMs, type Timings } from '../vm/timings.js';
import type { Check } from './doctor-check.js';

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

/** "a VM boots in 2.4 s and a file's window shows in 9.8 s here (medians of 9 and 5 runs)", or that nothing was measured yet. */
export function measuredTimes(timings: Timings, accel: 'kvm' | 'tcg'): string {
  const boot = usualMs(timings, accel, 'boot');
  const window = usualMs(timings, accel, 'window');
  if (boot === undefined && window === undefined) return `no ${accel.toUpperCase()} times measured on this machine yet (every open measures them)`;
  const parts = [boot === undefined ? undefined : `a VM boots in ${seconds(boot.ms)}`, window === undefined ? undefined : `a file's window shows in ${seconds(window.ms)}`].filter(
    (p) => p !== undefined,
  );
  const runs = [boot?.runs, window?.runs].filter((n) => n !== undefined).join(' and ');
  return `${parts.join(' and ')} here under ${accel.toUpperCase()} (median of the last ${runs} runs)`;
}

export function checkAccel(choice: AccelChoice, timings: Timings = {}, configFile = 'config.ini'): Check {
  const name = 'accelerator';
  const times = measuredTimes(timings, choice.accel);
  const forced = choice.forcedButUnusable;
  if (forced !== undefined) {
    const unforce = choice.from === 'environment' ? 'unset NOFEAR_ACCEL (NoFear then uses TCG by itself)' : `set accel = auto in [vm] of ${configFile} (NoFear then uses TCG by itself)`;
    const fix = `${unforce}${choice.fix === undefined ? '' : `; or make KVM usable: ${choice.fix}`}`;
    const detail = `KVM is forced (${choice.reason}) but ${forced.reason}`;
    return forced.certain ? { name, status: 'FAIL', detail: `${detail}: no VM can boot`, fix } : { name, status: 'WARN', detail: `${detail}: VMs may hang at boot`, fix };
  }
  if (choice.accel === 'kvm') return { name, status: 'OK', detail: `KVM (${choice.reason}); ${times}` };
  if (choice.from !== 'probe') return { name, status: 'OK', detail: `TCG (${choice.reason}), several times slower than KVM; ${times}` };
  return {
    name,
    status: 'WARN',
    detail: `KVM unusable (${choice.reason}): falling back to TCG, several times slower than KVM; ${times}`,
    ...(choice.fix === undefined ? {} : { fix: choice.fix }),
  };
}
