// `nofearctl integrate uninstall`: removes every file install wrote, takes NoFear out of mimeapps.list and
// uca.xml (byte for byte back when nothing else changed them), and forgets the record.
import { promises as fsp } from 'node:fs';
import type { Env } from '../util/xdg.js';
import { undoEdit, type UndoResult } from './edit.js';
import { releaseTypes } from './mimeapps.js';
import { integrationPaths } from './paths.js';
import { refreshDesktop, type ReloadBus } from './refresh.js';
import { readBytes, readState, removeState, sha256Hex, type IntegrationState } from './state.js';
import { removeThunarAction } from './thunar.js';
import { enableParsingPlugins } from './tumbler.js';

export interface UninstallReport {
  /** undefined when nothing was installed. */
  state: IntegrationState | undefined;
  removed: string[];
  /** Installed files someone changed after install (removed all the same: they were NoFear's). */
  changed: string[];
  mimeapps: UndoResult | undefined;
  thunar: UndoResult | undefined;
  tumbler?: UndoResult;
  warnings: string[];
}

async function removeFiles(state: IntegrationState, report: UninstallReport): Promise<void> {
  for (const file of state.files) {
    const bytes = await readBytes(file.path);
    if (bytes === undefined) continue;
    if (sha256Hex(bytes) !== file.sha256) report.changed.push(file.path);
    await fsp.rm(file.path, { force: true });
    report.removed.push(file.path);
  }
}

/** update-desktop-database leaves a header-only cache behind; if the directory had none, neither should it now. */
async function dropEmptyCache(cache: string): Promise<void> {
  const text = (await readBytes(cache))?.toString('utf8');
  if (text !== undefined && text.split('\n').every((line) => line.trim() === '' || line.trim() === '[MIME Cache]')) {
    await fsp.rm(cache, { force: true });
  }
}

async function removeEmptyDirs(dirs: readonly string[]): Promise<void> {
  // Deepest first, so a parent NoFear created goes once its NoFear-made children are gone.
  for (const dir of [...dirs].sort((a, b) => b.length - a.length)) {
    await fsp.rmdir(dir).catch(() => undefined); // not empty: the user put something there since
  }
}

export async function uninstall(env: Env = process.env, reloadBus?: ReloadBus): Promise<UninstallReport> {
  const paths = integrationPaths(env);
  const state = await readState(paths.stateFile);
  const report: UninstallReport = { state, removed: [], changed: [], mimeapps: undefined, thunar: undefined, warnings: [] };
  if (state === undefined) return report;
  await removeFiles(state, report);
  if (state.mimeapps !== null) {
    const groups = state.mimeapps.createdGroups;
    report.mimeapps = await undoEdit(
      state.mimeapps,
      (text) => releaseTypes(text, groups),
      (text) => text.trim() === '',
    );
  }
  if (state.thunar !== null) {
    report.thunar = await undoEdit(state.thunar, removeThunarAction, (text) => !/<action[\s>]/.test(text));
  }
  if (state.tumbler !== undefined && state.tumbler !== null) report.tumbler = await undoEdit(state.tumbler, enableParsingPlugins, (text) => text.trim() === '');
  if (
    await fsp.stat(paths.applicationsDir).then(
      () => true,
      () => false,
    )
  ) {
    report.warnings.push(...(await refreshDesktop(paths.applicationsDir, env, reloadBus)).warnings);
    if (!state.mimeinfoCacheExisted) await dropEmptyCache(paths.mimeinfoCache);
  }
  await removeState(paths.stateFile);
  await removeEmptyDirs(state.createdDirs);
  return report;
}
