// doctor's view of the mark of the outside: the policy, whether the service marks what arrives, and the
// untrusted places whose filesystem has no user xattrs (their marks live in NoFear's sidecar and do not
// travel with a file moved elsewhere).
import { configPath, type Config } from '../config/index.js';
import { trustScope } from '../trust/origin.js';
import { placeStores, type PlaceStore } from '../trust/place-stores.js';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { isGuardEntry, systemThumbnailers, userThumbnailersDir } from '../integrate/thumbnailers.js';
import type { Check } from './doctor-check.js';

/** Pure: whether each system thumbnailer has NoFear's guard in front of it, and what no guard covers. */
export function thumbnailCheck(guarded: readonly string[], unguarded: readonly string[]): Check {
  const notCovered = 'not covered: quick previewers (sushi), Baloo, tracker where its ignored-directories-with-content no longer names .trackerignore, KDE KIO thumbnailers';
  if (unguarded.length > 0)
    return {
      name: 'thumbnails',
      status: 'WARN',
      detail: `the host parses files from outside to thumbnail them: ${unguarded.join(', ')} without NoFear's guard; ${notCovered}`,
      fix: 'nofearctl integrate install',
    };
  return {
    name: 'thumbnails',
    status: 'OK',
    detail: `${guarded.length} thumbnailer(s) behind NoFear's guard (GNOME's thumbnail factory, tumbler): files from outside get a placeholder; ${notCovered}`,
  };
}

async function checkThumbnails(env: NodeJS.ProcessEnv): Promise<Check> {
  const names = (await systemThumbnailers(env)).map((entry) => entry.name);
  const guarded = new Set<string>();
  for (const name of names) {
    const text = await fsp.readFile(path.join(userThumbnailersDir(env), name), 'utf8').catch(() => '');
    if (isGuardEntry(text)) guarded.add(name);
  }
  return thumbnailCheck(
    [...guarded],
    names.filter((name) => !guarded.has(name)),
  );
}

/** Pure: the checks for these facts. */
export function trustChecks(config: Config, stores: readonly PlaceStore[], skipped: readonly string[], file: string): Check[] {
  const policy = config.trust.policy === 'marked' ? 'files from outside open in a VM, the rest natively' : 'every risky type opens in a VM';
  const watching = config.trust.watch ? 'the service marks what arrives' : `nothing is marked as it arrives (set [trust] watch = on in ${file})`;
  const checks: Check[] = [{ name: 'trust', status: 'OK', detail: `policy ${config.trust.policy}: ${policy}; ${watching}` }];
  const sidecar = stores.filter((s) => s.store === 'sidecar').map((s) => s.place);
  const unknown = stores.filter((s): s is Extract<PlaceStore, { store: 'unknown' }> => s.store === 'unknown');
  if (sidecar.length > 0) {
    checks.push({
      name: 'trust places',
      status: 'WARN',
      detail: `no user xattrs on ${sidecar.join(', ')}: marks there are kept in NoFear's sidecar (by device and inode) and are lost when a file is copied or moved to another filesystem`,
      fix: 'mount that filesystem with user_xattr (ext4, XFS, Btrfs and tmpfs have them)',
    });
  }
  for (const s of unknown)
    checks.push({ name: 'trust places', status: 'WARN', detail: `cannot tell how ${s.place} keeps marks: ${s.why}`, fix: `check its permissions: ls -ld ${JSON.stringify(s.place)}` });
  for (const why of skipped) checks.push({ name: 'trust places', status: 'WARN', detail: `[trust] places: ${why}`, fix: `correct [trust] places in ${file}` });
  if (sidecar.length === 0 && unknown.length === 0) {
    const kept = stores.filter((s) => s.store === 'xattr').map((s) => s.place);
    checks.push({ name: 'trust places', status: 'OK', detail: kept.length > 0 ? `marks kept in user xattrs on ${kept.join(', ')}` : 'no untrusted place exists yet' });
  }
  return checks;
}

export async function checkTrust(config: Config, env: NodeJS.ProcessEnv): Promise<Check[]> {
  const scope = await trustScope(config, env);
  return [...trustChecks(config, await placeStores(scope.places, env), scope.skipped, configPath(env)), await checkThumbnails(env)];
}
