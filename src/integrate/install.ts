// `nofearctl integrate install`: the desktop entry, icon, D-Bus service, systemd unit and file-manager
// actions into the user's XDG dirs, NoFear as the default for the chosen types, and a record of all of it.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Env } from '../util/xdg.js';
import { invalidArgument } from '../errors.js';
import { writeFileAtomic } from '../util/publish.js';
import { effectiveDefault, loadDesktopView, normaliseType, sameTypeIn, type DesktopView } from './defaults.js';
import { applyEdit, byteString } from './edit.js';
import { escapeXml, readSource, renderPlaceholders, renderShipped, SHIPPED_FILES, THUNAR_ACTION_SOURCE } from './files.js';
import { findLaunchers } from './launchers.js';
import { claimTypes } from './mimeapps.js';
import { integrationPaths, type IntegrationPaths } from './paths.js';
import { refreshDesktop, type ReloadBus } from './refresh.js';
import { readBytes, readState, sha256Hex, writeState, type IntegrationState } from './state.js';
import { mergeThunarAction } from './thunar.js';
import { guardEntries, isGuardEntry } from './thumbnailers.js';
import { disableParsingPlugins, systemTumblerRcs, userTumblerRc } from './tumbler.js';
import { NOFEAR_DESKTOP_ID } from './types.js';
import { missingSystemFiles, readSystemInstall } from './system.js';

export interface InstallOptions {
  /** Types to make NoFear the default for, on top of those an earlier install chose. */
  types: readonly string[];
}

export interface InstallReport {
  state: IntegrationState;
  /** Types newly made NoFear's in this run. */
  added: string[];
  warnings: string[];
  /** The nofear package's files serve: only the user's choices were written. */
  system: boolean;
  /** The systemd user unit that serves: the one installed here, or the package's. */
  unit: string | undefined;
}

const TYPE_SYNTAX = /^[A-Za-z0-9][\w.+-]*\/[A-Za-z0-9][\w.+-]*$/;

function checkTypes(view: DesktopView, types: readonly string[], warnings: string[]): string[] {
  const out: string[] = [];
  for (const raw of types) {
    if (!TYPE_SYNTAX.test(raw.trim())) throw invalidArgument(`${JSON.stringify(raw)} is not a MIME type.`, 'name types like application/pdf (see /usr/share/mime/types), or use --risky');
    const { type, known } = normaliseType(view.tree, raw);
    // URL schemes are no file types: shared-mime-info never lists them.
    if (!known && !type.startsWith('x-scheme-handler/')) warnings.push(`${type} is not in the shared-mime-info database; NoFear is its default anyway, but no file may ever have that type.`);
    if (!out.some((t) => sameTypeIn(view.tree)(t, type))) out.push(type);
  }
  return out;
}

/** mkdir -p that remembers which directories it created, outermost first. */
async function makeDirs(dir: string, created: string[]): Promise<void> {
  const missing: string[] = [];
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      await fsp.stat(d);
      break;
    } catch {
      missing.unshift(d);
      if (path.dirname(d) === d) break;
    }
  }
  await fsp.mkdir(dir, { recursive: true });
  for (const d of missing) if (!created.includes(d)) created.push(d);
}

async function installFiles(paths: IntegrationPaths, state: IntegrationState, ownedTypes: readonly string[]): Promise<void> {
  for (const shipped of SHIPPED_FILES) {
    const target = shipped.target(paths);
    const bytes = await renderShipped(shipped, state.launchers, ownedTypes);
    await makeDirs(path.dirname(target), state.createdDirs);
    await writeFileAtomic(target, bytes, shipped.mode);
    await fsp.chmod(target, shipped.mode); // the temp file's mode went through the umask
    state.files = [...state.files.filter((f) => f.path !== target), { role: shipped.role, path: target, sha256: sha256Hex(bytes) }];
  }
}

/** The uca.xml Thunar falls back to while the user has none: its actions must survive in the user's copy. */
async function systemThunarActions(paths: IntegrationPaths): Promise<string | undefined> {
  for (const file of paths.thunarSystemUca) {
    const bytes = await readBytes(file);
    if (bytes !== undefined) return bytes.toString('latin1'); // a byte string, as applyEdit's edits take
  }
  return undefined;
}

async function installThunar(paths: IntegrationPaths, state: IntegrationState): Promise<void> {
  const action = renderPlaceholders((await readSource(THUNAR_ACTION_SOURCE)).toString('utf8'), state.launchers, escapeXml);
  const fallback = await systemThunarActions(paths);
  await makeDirs(path.dirname(paths.thunarUca), state.createdDirs);
  state.thunar = await applyEdit(paths.thunarUca, state.thunar, (bytes) => ({ text: mergeThunarAction(bytes ?? fallback, byteString(action), paths.thunarUca) }));
}

/**
 * NoFear's thumbnail guards, per user for every install (the package cannot put its entries before the
 * system's): one per system .thumbnailer, under its name; guards whose original is gone are removed, and a
 * user's own entry of that name is left alone (with a warning: that type is not guarded).
 */
async function installThumbnailGuards(env: Env, state: IntegrationState, warnings: string[]): Promise<void> {
  const entries = await guardEntries(env);
  for (const stale of state.files.filter((f) => f.role === 'thumbnailer' && !entries.has(f.path))) await fsp.rm(stale.path, { force: true });
  state.files = state.files.filter((f) => f.role !== 'thumbnailer' || entries.has(f.path));
  for (const [target, text] of entries) {
    const existing = (await readBytes(target))?.toString('utf8');
    if (existing !== undefined && !isGuardEntry(existing)) {
      warnings.push(
        `${target} is your own thumbnailer: NoFear left it alone, so its types are thumbnailed on the host even for files from outside. Fix: remove it and run nofearctl integrate install again`,
      );
      continue;
    }
    await makeDirs(path.dirname(target), state.createdDirs);
    await writeFileAtomic(target, text, 0o644);
    state.files = [...state.files.filter((f) => f.path !== target), { role: 'thumbnailer', path: target, sha256: sha256Hex(text) }];
  }
}

/** Tumbler's in-process parsers off, where tumbler is installed (it ships a system tumbler.rc) or the user has an rc. */
async function installTumbler(env: Env, state: IntegrationState): Promise<void> {
  const userRc = userTumblerRc(env);
  let fallback: string | undefined;
  for (const file of systemTumblerRcs(env)) fallback ??= (await readBytes(file))?.toString('latin1');
  if (fallback === undefined && (await readBytes(userRc)) === undefined) return;
  await makeDirs(path.dirname(userRc), state.createdDirs);
  state.tumbler = await applyEdit(userRc, state.tumbler ?? null, (bytes) => ({ text: disableParsingPlugins(bytes ?? fallback) }));
}

/** Files of an earlier per-user install: the user's dirs come first, so they would hide the package's (the thumbnail guards stay). */
async function dropUserFiles(state: IntegrationState): Promise<number> {
  const dropping = state.files.filter((file) => file.role !== 'thumbnailer');
  for (const file of dropping) await fsp.rm(file.path, { force: true });
  state.files = state.files.filter((file) => file.role === 'thumbnailer');
  return dropping.length;
}

function newTypes(view: DesktopView, types: readonly string[], state: IntegrationState): string[] {
  return types.filter((type) => !state.types.some((t) => sameTypeIn(view.tree)(t, type)));
}

async function claimDefaults(paths: IntegrationPaths, view: DesktopView, added: string[], state: IntegrationState): Promise<void> {
  for (const type of added) {
    // Read before anything is written: the default the user had, which NoFear then starts inside the VM.
    const previous = effectiveDefault(view, type, { includeNoFear: false });
    if (previous !== undefined) state.previousDefaults[type] = previous.id;
  }
  const all = [...state.types, ...added];
  if (all.length === 0) return;
  await makeDirs(paths.configHome, state.createdDirs);
  state.mimeapps = await applyEdit(paths.mimeappsList, state.mimeapps, (bytes) => claimTypes(bytes ?? '', all, sameTypeIn(view.tree)));
  state.types = all;
}

function freshState(previous: IntegrationState | undefined, launchers: IntegrationState['launchers'], cacheExisted: boolean): IntegrationState {
  return {
    version: 1,
    installedAt: new Date().toISOString(),
    launchers,
    files: previous?.files ?? [],
    createdDirs: previous?.createdDirs ?? [],
    types: previous?.types ?? [],
    previousDefaults: previous?.previousDefaults ?? {},
    mimeapps: previous?.mimeapps ?? null,
    thunar: previous?.thunar ?? null,
    tumbler: previous?.tumbler ?? null,
    mimeinfoCacheExisted: previous?.mimeinfoCacheExisted ?? cacheExisted,
  };
}

async function fileExists(file: string): Promise<boolean> {
  return fsp.stat(file).then(
    () => true,
    () => false,
  );
}

export async function install(options: InstallOptions, env: Env = process.env, reloadBus?: ReloadBus): Promise<InstallReport> {
  const paths = integrationPaths(env);
  const system = await readSystemInstall();
  const launchers = system?.launchers ?? (await findLaunchers(env));
  const previous = await readState(paths.stateFile);
  const warnings: string[] = [];
  const view = await loadDesktopView(env);
  const types = checkTypes(view, options.types, warnings);
  const state = freshState(previous, launchers, await fileExists(paths.mimeinfoCache));
  const added = newTypes(view, types, state);
  let dropped = 0;
  try {
    await makeDirs(path.dirname(paths.stateFile), state.createdDirs);
    if (system === undefined) await installFiles(paths, state, [...state.types, ...added]);
    else dropped = await dropUserFiles(state);
    await installThumbnailGuards(env, state, warnings);
    await installTumbler(env, state);
    await installThunar(paths, state);
    await claimDefaults(paths, view, added, state);
  } finally {
    // Whatever got written is on record, so that uninstall can take it away even after a failure.
    await writeState(paths.stateFile, state);
  }
  if (system === undefined || dropped > 0) warnings.push(...(await refreshDesktop(paths.applicationsDir, env, reloadBus)).warnings);
  for (const file of system === undefined ? [] : await missingSystemFiles(system)) {
    warnings.push(`${file} is missing: the nofear package is damaged. Fix: sudo apt-get install --reinstall nofear`);
  }
  const after = await loadDesktopView(env);
  for (const type of state.types) {
    const now = effectiveDefault(after, type, { includeNoFear: true });
    if (now !== undefined && now.id !== NOFEAR_DESKTOP_ID) {
      warnings.push(`${type} still opens with ${now.id}: ${now.origin} takes precedence over ${paths.mimeappsList}. Fix: remove ${type} from ${now.origin}`);
    }
  }
  const unit = system?.files['systemd-unit'] ?? state.files.find((file) => file.role === 'systemd-unit')?.path;
  return { state, added, warnings, system: system !== undefined, unit };
}
