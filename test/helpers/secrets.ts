// Where a secret (a password the test gave NoFear) could leak on the host: any process's argv or
// environment while NoFear runs, and any file afterwards.
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Every regular file under `root` (symlinks not followed) whose bytes hold one of `secrets`. */
export function filesHolding(root: string, secrets: readonly string[]): string[] {
  if (!existsSync(root)) return [];
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      const stat = lstatSync(file);
      if (stat.isDirectory()) walk(file);
      else if (stat.isFile()) {
        const bytes = readFileSync(file);
        if (secrets.some((secret) => bytes.includes(secret))) found.push(file);
      }
    }
  };
  walk(root);
  return found;
}

/** Samples every readable /proc/PID/cmdline and environ until stopped: which held a secret, and how many QEMUs were seen. */
export function sampleProcesses(secrets: readonly string[]) {
  const hits = new Set<string>();
  let qemus = 0;
  let samples = 0;
  const sample = () => {
    samples++;
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      for (const part of ['cmdline', 'environ']) {
        try {
          const bytes = readFileSync(`/proc/${pid}/${part}`);
          if (part === 'cmdline' && bytes.includes('qemu-system')) qemus++;
          if (secrets.some((secret) => bytes.includes(secret))) hits.add(`${pid} ${part}: ${bytes.toString('utf8').replaceAll('\0', ' ').slice(0, 200)}`);
        } catch {
          // gone meanwhile, or another user's
        }
      }
    }
  };
  const timer = setInterval(sample, 100);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return { hits: [...hits], qemus, samples };
    },
  };
}
