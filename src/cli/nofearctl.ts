#!/usr/bin/env node
// nofearctl: see and stop sandboxes, check the machine, show the settings, manage profiles.
import { invalidArgument } from '../errors.js';
import { runMain } from './cli-exit.js';
import { ensureRuntimeBase } from '../sandbox/registry.js';
import { formatPs, psRows } from './ctl-ps.js';
import { runStop } from './ctl-stop.js';
import { runProfiles } from './ctl-profiles.js';
import { doctorExitStatus, formatChecks, runDoctor } from './doctor.js';
import { formatEffectiveConfig, loadConfig } from '../config/index.js';
import { integrateCommand } from './ctl-integrate.js';
import { runService } from '../service/service.js';

const USAGE = `usage: nofearctl COMMAND
  ps [--json]                 the sandboxes (leftovers of crashed runs are shown as stale, then removed)
  stop ID|PROFILE|--all       power a sandbox off (killed after a deadline) and clean up
  doctor                      check that NoFear can run here, and how to fix what is missing
  config                      the effective settings and where each comes from
  profiles list|create NAME|delete NAME|info NAME
  service [--activated]       run the session D-Bus service (org.nofear.NoFear) in the foreground
  integrate install|uninstall|status   NoFear as a desktop handler and in the file managers`;

async function ps(args: readonly string[]): Promise<number> {
  const unknown = args.find((a) => a !== '--json');
  if (unknown !== undefined) throw invalidArgument(`nofearctl ps: unknown option ${unknown}.`, 'nofearctl ps [--json]');
  const rows = await psRows(ensureRuntimeBase());
  process.stdout.write(args.includes('--json') ? `${JSON.stringify(rows, null, 2)}\n` : formatPs(rows));
  return 0;
}

await runMain('nofearctl', async () => {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case 'ps':
      return ps(rest);
    case 'stop':
      return runStop(ensureRuntimeBase(), rest);
    case 'doctor': {
      const checks = await runDoctor();
      process.stdout.write(formatChecks(checks));
      return doctorExitStatus(checks);
    }
    case 'config':
      // loadConfig applies the environment's overrides already: applying them again doubles their problems.
      process.stdout.write(formatEffectiveConfig(loadConfig()));
      return 0;
    case 'profiles':
      return runProfiles(rest);
    case 'service':
      return runService(rest);
    case 'integrate':
      return integrateCommand(rest);
    case undefined:
    case '-h':
    case '--help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    default:
      throw invalidArgument(`nofearctl: unknown command ${command}.`, 'nofearctl --help');
  }
});
