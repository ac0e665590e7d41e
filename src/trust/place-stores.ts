// Which untrusted places keep marks in user xattrs and which fall back to the sidecar: asked of the place
// itself (reading an attribute of the folder needs no write, so nothing arrives there for the watcher).
import { existsSync } from 'node:fs';
import { xattrBatch } from './xattrs.js';

export type PlaceStore = { place: string; store: 'xattr' | 'sidecar' | 'missing' } | { place: string; store: 'unknown'; why: string };

export async function placeStores(places: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<PlaceStore[]> {
  const present = places.filter((place) => existsSync(place));
  const results = await xattrBatch(
    present.map((place) => ({ op: 'read' as const, path: place, names: ['user.nofear.probe'] })),
    env,
  );
  return places.map((place): PlaceStore => {
    const result = results[present.indexOf(place)];
    if (result === undefined) return { place, store: 'missing' };
    if (result.ok) return { place, store: 'xattr' };
    return result.unsupported ? { place, store: 'sidecar' } : { place, store: 'unknown', why: result.error };
  });
}
