// nofearctl profiles list|create|delete|info: the same store as nofear -l/-n/-d, with sizes and last use.
import { invalidArgument } from '../errors.js';
import { createProfile, deleteProfile, listProfiles, profileExists, profileInfo, validateProfileName, type ProfileInfo } from '../profiles/store.js';
import { ensureRuntimeBase, listRecords } from '../sandbox/registry.js';
import { liveness } from '../sandbox/reaper.js';
import { formatProfiles, humanBytes } from './profile-table.js';

export type ProfilesVerb = 'list' | 'create' | 'delete' | 'info';

function needName(verb: string, name: string | undefined): string {
  if (name === undefined || name === '') throw invalidArgument(`profiles ${verb} needs a profile name.`, `nofearctl profiles ${verb} NAME`);
  return validateProfileName(name);
}

/** `key: value` lines, like --dry-run's, so scripts can read them too. */
export function formatProfileInfo(info: ProfileInfo, sandboxes: readonly string[]): string {
  const inUse = info.inUseBy === undefined ? '-' : `${sandboxes.length > 0 ? `sandbox ${sandboxes.join(', ')} ` : ''}(pid ${info.inUseBy})`;
  return (
    [
      `name: ${info.name}`,
      `disk: ${info.disk}`,
      `size on disk: ${humanBytes(info.sizeOnDisk)} (${info.sizeOnDisk} bytes)`,
      `last used: ${info.lastUsed?.toISOString() ?? 'never'}`,
      `in use by: ${inUse}`,
    ].join('\n') + '\n'
  );
}

async function sandboxesOf(profile: string): Promise<string[]> {
  const records = await listRecords(ensureRuntimeBase());
  return records.filter((r) => r.profile === profile && liveness(r) === 'live').map((r) => r.id);
}

/** The grammar has checked the verb and how many names it got. */
export async function runProfiles(verb: ProfilesVerb, name: string | undefined): Promise<number> {
  switch (verb) {
    case 'list':
      process.stdout.write(formatProfiles(await listProfiles()));
      return 0;
    case 'create': {
      const profile = needName(verb, name);
      if (await profileExists(profile)) {
        process.stdout.write(`profile ${profile} exists already (left unchanged)\n`);
        return 0;
      }
      const info = await createProfile(profile);
      process.stdout.write(`created profile ${profile} (${humanBytes(info.sizeOnDisk)} on disk)\n`);
      return 0;
    }
    case 'delete': {
      const profile = needName(verb, name);
      await deleteProfile(profile);
      process.stdout.write(`deleted profile ${profile}\n`);
      return 0;
    }
    case 'info': {
      const profile = needName(verb, name);
      const info = await profileInfo(profile);
      process.stdout.write(formatProfileInfo(info, info.inUseBy === undefined ? [] : await sandboxesOf(profile)));
      return 0;
    }
  }
}
