// The mark of the outside, applied to real files: reads a file's attributes (or the sidecar where its
// filesystem has none) and the untrusted places, and asks rule.ts; writes the mark, the trust and the
// distrust. Every caller that needs to know or to mark goes through here.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { notFound, unavailable } from '../errors.js';
import type { Config } from '../config/index.js';
import { loadPlaces, placeOf } from './places.js';
import { ATTRS, ORIGIN_ATTR, TRUSTED_ATTR, arrivalMark, encodeMark, judge, type FileFacts, type OriginMark, type Verdict } from './rule.js';
import { readSidecar, sidecarKey, updateSidecar } from './sidecar.js';
import { xattrBatch } from './xattrs.js';

export interface TrustScope {
  env: NodeJS.ProcessEnv;
  /** Untrusted places, expanded and resolved. */
  places: string[];
  /** Entries of [trust] places that could not be expanded, and why. */
  skipped: string[];
}

async function resolved(file: string): Promise<string> {
  return fsp.realpath(file).catch(() => path.resolve(file));
}

export async function trustScope(config: Config, env: NodeJS.ProcessEnv = process.env): Promise<TrustScope> {
  const { places, skipped } = await loadPlaces(config.trust.places, env);
  return { env, places: await Promise.all(places.map(resolved)), skipped };
}

export interface FileState {
  file: string;
  facts: FileFacts;
  /** Where this file's marks live. */
  store: 'xattr' | 'sidecar';
  key: string;
}

/** The facts about each file (resolved paths); a missing or unreadable file is an error naming it. */
export async function readFacts(files: readonly string[], scope: TrustScope): Promise<FileState[]> {
  const real = await Promise.all(files.map(resolved));
  const results = await xattrBatch(
    real.map((file) => ({ op: 'read' as const, path: file, names: ATTRS })),
    scope.env,
  );
  let sidecar: Awaited<ReturnType<typeof readSidecar>> | undefined;
  const states: FileState[] = [];
  for (const [i, file] of real.entries()) {
    const result = results[i];
    const place = placeOf(file, scope.places);
    if (result?.ok) {
      states.push({ file, facts: { place, attrs: result.values }, store: 'xattr', key: sidecarKey(result.dev, result.ino) });
      continue;
    }
    if (result === undefined || !result.unsupported) throw notFound(`Cannot read ${file}: ${result?.error ?? 'no answer'}.`, `check the file exists and is readable: ls -l ${JSON.stringify(file)}`);
    const stat = await fsp.stat(file);
    const key = sidecarKey(stat.dev, stat.ino);
    sidecar ??= await readSidecar(scope.env);
    states.push({ file, facts: { place, attrs: sidecar[key]?.attrs ?? {} }, store: 'sidecar', key });
  }
  return states;
}

/** The rule applied to a real file: what routing asks. */
export async function fromOutside(file: string, scope: TrustScope): Promise<Verdict> {
  const [state] = await readFacts([file], scope);
  if (state === undefined) throw new Error('readFacts returned nothing');
  return judge(state.facts);
}

/** Sets (value) or removes (undefined) one of NoFear's attributes, on the file or in the sidecar. */
async function writeAttr(state: FileState, name: string, value: string | undefined, env: NodeJS.ProcessEnv): Promise<'xattr' | 'sidecar'> {
  if (state.store === 'xattr') {
    const [result] = await xattrBatch([value === undefined ? { op: 'remove', path: state.file, name } : { op: 'set', path: state.file, name, value }], env);
    if (result?.ok) return 'xattr';
    if (result === undefined || !result.unsupported)
      throw unavailable(`Cannot write ${name} on ${state.file}: ${result?.error ?? 'no answer'}.`, `check you own the file: ls -l ${JSON.stringify(state.file)}`);
  }
  await updateSidecar(env, state.key, state.file, name, value);
  return 'sidecar';
}

/** Marks files as from outside (unless marked or trusted already); returns where each mark went, or "kept". */
export async function markArrivals(files: readonly string[], scope: TrustScope, now = new Date()): Promise<Array<'xattr' | 'sidecar' | 'kept'>> {
  const states = await readFacts(files, scope);
  return Promise.all(
    states.map((state) => {
      const { attrs } = state.facts;
      if (attrs[ORIGIN_ATTR] !== undefined || attrs[TRUSTED_ATTR] !== undefined) return 'kept' as const;
      return writeAttr(state, ORIGIN_ATTR, encodeMark(arrivalMark(state.facts, now)), scope.env);
    }),
  );
}

/** Writes NoFear's mark whatever was there (a guest's file, a distrusted file); the trust mark goes. */
export async function writeMark(file: string, mark: OriginMark, scope: TrustScope): Promise<'xattr' | 'sidecar'> {
  const [state] = await readFacts([file], scope);
  if (state === undefined) throw new Error('readFacts returned nothing');
  if (state.facts.attrs[TRUSTED_ATTR] !== undefined) await writeAttr(state, TRUSTED_ATTR, undefined, scope.env);
  return writeAttr(state, ORIGIN_ATTR, encodeMark(mark), scope.env);
}

/**
 * Everything a guest made (an edit saved back, an "(edited in NoFear)" copy, an exported attachment, a kept
 * download) is from outside: one function marks them all. `what` says which, in the mark.
 */
export async function markGuestMade(file: string, what: string, env: NodeJS.ProcessEnv = process.env): Promise<'xattr' | 'sidecar'> {
  return writeMark(file, { from: `made in a NoFear VM (${what})`, at: new Date().toISOString() }, { env, places: [], skipped: [] });
}

/** `nofearctl trust FILE`: the user's own mark, which wins over the place and the browser's. */
export async function trustFile(file: string, scope: TrustScope): Promise<{ before: Verdict; store: 'xattr' | 'sidecar' }> {
  const [state] = await readFacts([file], scope);
  if (state === undefined) throw new Error('readFacts returned nothing');
  const store = await writeAttr(state, TRUSTED_ATTR, JSON.stringify({ at: new Date().toISOString() }), scope.env);
  return { before: judge(state.facts), store };
}

/** `nofearctl distrust FILE`: the trust goes and the file is marked. */
export function distrustFile(file: string, scope: TrustScope): Promise<'xattr' | 'sidecar'> {
  return writeMark(file, { from: 'distrusted by you (nofearctl distrust)', at: new Date().toISOString() }, scope);
}
