// [trust] policy = marked: the desktop's default open (org.freedesktop.Application.Open) sends a file from
// outside to a VM and opens any other file at once, natively, in the application that was the default before
// NoFear. "Open in NoFear" (the Manager's OpenFiles/OpenUris) always means a VM: the user asked for one.
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../../config/index.js';
import { detectMime, loadMimeDatabase } from '../../desktop/mime-detect.js';
import { nodeFileReader } from '../../desktop/file-reader.js';
import { xdgDirsFromEnv } from '../../desktop/xdg-dirs.js';
import { launchNative } from '../../integrate/native-launch.js';
import { previousDefaultFor, type NativeApp } from '../../integrate/previous-default.js';
import type { Verdict } from '../../trust/rule.js';
import { fromOutside, trustScope } from '../../trust/origin.js';
import { targetOf } from './request-parts.js';

export type Route = { to: 'vm'; why: string } | { to: 'native'; app: NativeApp; why: string };

/** Pure: where one file goes. With no host application for the type, the VM (it is never refused). */
export function decideRoute(policy: Config['trust']['policy'], verdict: Verdict | undefined, app: NativeApp | undefined): Route {
  if (policy === 'everything') return { to: 'vm', why: '[trust] policy = everything' };
  if (verdict === undefined) return { to: 'vm', why: 'its origin could not be read' };
  if (verdict.outside) return { to: 'vm', why: `from outside: ${verdict.why}` };
  if (app === undefined) return { to: 'vm', why: 'not marked, but no other application on this desktop opens its type' };
  return { to: 'native', app, why: verdict.why };
}

async function mimeOf(file: string, env: NodeJS.ProcessEnv): Promise<string> {
  const db = await loadMimeDatabase(nodeFileReader, xdgDirsFromEnv(env, env.HOME ?? os.homedir()));
  return (await detectMime(file, db, { name: path.basename(file) })).mime;
}

/** Opens the files that stay on the host; returns the URIs that go to a VM (web addresses always do). */
export async function openNativeByOrigin(uris: readonly string[], config: Config, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<string[]> {
  if (config.trust.policy !== 'marked') return [...uris];
  const scope = await trustScope(config, env);
  const toVm: string[] = [];
  for (const uri of uris) {
    const target = targetOf(uri);
    if (target.kind === 'url') {
      toVm.push(uri);
      continue;
    }
    const verdict = await fromOutside(target.path, scope).catch(() => undefined);
    const app = verdict !== undefined && !verdict.outside ? await previousDefaultFor(await mimeOf(target.path, env), env).catch(() => undefined) : undefined;
    const route = decideRoute(config.trust.policy, verdict, app);
    if (route.to === 'vm') {
      log(`${target.path}: to a VM (${route.why})`);
      toVm.push(uri);
      continue;
    }
    const pids = await launchNative(route.app, [target.path], env);
    log(`${target.path}: opened natively in ${route.app.id} (${route.why}; pid ${pids.join(' ')})`);
  }
  return toVm;
}
