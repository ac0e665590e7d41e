#!/usr/bin/env node
// nofearctl: see and stop sandboxes, check the machine, show the settings, manage profiles.
import { invalidArgument, notFound } from '../errors.js';
import { runMain } from './cli-exit.js';
import { ensureRuntimeBase, listRecords, reapLeftovers, ID_PATTERN } from '../sandbox/registry.js';
import { stopSandbox } from '../sandbox/stop.js';
import { formatPs, psRows } from './ctl-ps.js';
import { formatChecks, runDoctor } from './doctor.js';
import { applyEnvOverrides, formatEffectiveConfig, loadConfig } from '../config/index.js';
import { createProfile, deleteProfile, listProfiles, profileInfo, validateProfileName } from '../profiles/store.js';
import { formatProfiles } from './profile-table.js';
import { integrateCommand } from '../desktop/integration-cli.js';
import { runService } from '../service/service.js';

const USAGE = `usage: nofearctl COMMAND
  ps [--json]                 the running sandboxes
  stop ID|PROFILE|--all       power a sandbox off (killed after a deadline) and clean up
  doctor                      check that NoFear can run here, and how to fix what is missing
  config                      the effective settings and where each comes from
  service [--activated]       run the session D-Bus service (org.nofear.NoFear) in the foreground
  profiles list|create NAME|delete NAME|info NAME`;

async function ps(args: string[]): Promise<number> {
  const base = ensureRuntimeBase();
  // Every NoFear command clears what crashed ones left before it looks.
  await reapLeftovers(base);
  const rows = await psRows(base);
  if (args.includes('--json')) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else process.stdout.write(formatPs(rows));
  return 0;
}

async function stop(args: string[]): Promise<number> {
  const base = ensureRuntimeBase();
  await reapLeftovers(base);
  const [target] = args;
  if (target === undefined) throw invalidArgument('nofearctl stop needs a sandbox id, a profile name or --all.', 'nofearctl ps lists them');
  const records = await listRecords(base);
  const chosen = target === '--all' ? records : records.filter((r) => r.id === target || (!ID_PATTERN.test(target) && r.profile === target));
  if (chosen.length === 0) {
    if (target === '--all') {
      process.stdout.write('no sandboxes running\n');
      return 0;
    }
    throw notFound(`No sandbox ${target} is running (it may have ended already).`, 'nofearctl ps lists the running ones');
  }
  const results = await Promise.all(chosen.map(async (record) => [record.id, await stopSandbox(base, record.id)] as const));
  for (const [id, result] of results) process.stdout.write(`${id}: ${result === 'gone' ? 'already gone' : result}\n`);
  return 0;
}

async function profiles(args: string[]): Promise<number> {
  const [verb, name] = args;
  switch (verb ?? 'list') {
    case 'list':
      process.stdout.write(formatProfiles(await listProfiles()));
      return 0;
    case 'create':
      await createProfile(validateProfileName(name ?? ''));
      process.stdout.write(`created profile ${name}\n`);
      return 0;
    case 'delete':
      await deleteProfile(validateProfileName(name ?? ''));
      process.stdout.write(`deleted profile ${name}\n`);
      return 0;
    case 'info': {
      const info = await profileInfo(validateProfileName(name ?? ''));
      process.stdout.write(`name: ${info.name}\ndisk: ${info.disk}\nsize on disk: ${info.sizeOnDisk}\nlast used: ${info.lastUsed?.toISOString() ?? 'never'}\nin use by: ${info.inUseBy ?? '-'}\n`);
      return 0;
    }
    default:
      throw invalidArgument(`nofearctl profiles: unknown command ${verb}.`, 'nofearctl profiles list|create NAME|delete NAME|info NAME');
  }
}

await runMain('nofearctl', async () => {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case 'ps':
      return ps(rest);
    case 'stop':
      return stop(rest);
    case 'doctor': {
      const checks = await runDoctor();
      process.stdout.write(formatChecks(checks));
      return checks.some((c) => c.status === 'FAIL') ? 1 : 0;
    }
    case 'config':
      process.stdout.write(formatEffectiveConfig(applyEnvOverrides(loadConfig())));
      return 0;
    case 'profiles':
      return profiles(rest);
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
