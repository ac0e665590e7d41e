// `nofearctl integrate status`: what install wrote and whether it is still there as written, and for each
// type NoFear was made the default for, whether it still is (another mimeapps.list may take precedence).
import type { Env } from '../util/xdg.js';
import { effectiveDefault, loadDesktopView } from './defaults.js';
import { integrationPaths } from './paths.js';
import { readBytes, readState, sha256Hex, type IntegrationState } from './state.js';
import { hasThunarAction } from './thunar.js';
import { NOFEAR_DESKTOP_ID } from './types.js';
import { missingSystemFiles, readSystemInstall } from './system.js';

export type FileHealth = 'ok' | 'changed' | 'missing';

export interface TypeStatus {
  type: string;
  /** The application the desktop opens it with now. */
  opensWith: string | undefined;
  owned: boolean;
  /** Where the winning default comes from, when it is not NoFear. */
  origin: string | undefined;
  previous: string | undefined;
}

export interface IntegrationStatus {
  installed: boolean;
  installedAt: string | undefined;
  stateFile: string;
  files: Array<{ role: string; path: string; health: FileHealth }>;
  thunarAction: boolean | undefined;
  types: TypeStatus[];
  /** The nofear package's files, when this program is the package's (src/integrate/system.ts). */
  systemFiles: Array<{ role: string; path: string; health: 'ok' | 'missing' }>;
}

async function health(file: string, sha256: string): Promise<FileHealth> {
  const bytes = await readBytes(file);
  if (bytes === undefined) return 'missing';
  return sha256Hex(bytes) === sha256 ? 'ok' : 'changed';
}

async function typeStatuses(state: IntegrationState, env: Env): Promise<TypeStatus[]> {
  if (state.types.length === 0) return [];
  const view = await loadDesktopView(env);
  return state.types.map((type) => {
    const now = effectiveDefault(view, type, { includeNoFear: true });
    const owned = now?.id === NOFEAR_DESKTOP_ID;
    return { type, opensWith: now?.id, owned, origin: owned ? undefined : now?.origin, previous: state.previousDefaults[type] };
  });
}

async function systemFiles(): Promise<IntegrationStatus['systemFiles']> {
  const system = await readSystemInstall();
  if (system === undefined) return [];
  const missing = await missingSystemFiles(system);
  return Object.entries(system.files).map(([role, file]) => ({ role, path: file, health: missing.includes(file) ? 'missing' : 'ok' }));
}

export async function integrationStatus(env: Env = process.env): Promise<IntegrationStatus> {
  const paths = integrationPaths(env);
  const state = await readState(paths.stateFile);
  const system = await systemFiles();
  if (state === undefined) return { installed: false, installedAt: undefined, stateFile: paths.stateFile, files: [], thunarAction: undefined, types: [], systemFiles: system };
  const files = await Promise.all(state.files.map(async (f) => ({ role: f.role, path: f.path, health: await health(f.path, f.sha256) })));
  const uca = state.thunar === null ? undefined : await readBytes(state.thunar.path);
  return {
    installed: true,
    installedAt: state.installedAt,
    stateFile: paths.stateFile,
    files,
    thunarAction: uca === undefined ? (state.thunar === null ? undefined : false) : hasThunarAction(uca.toString('utf8')),
    types: await typeStatuses(state, env),
    systemFiles: system,
  };
}

function formatSystemFiles(status: IntegrationStatus): string[] {
  if (status.systemFiles.length === 0) return [];
  return ['system files (the nofear package):', ...status.systemFiles.map((f) => `  ${f.role.padEnd(14)} ${f.health.padEnd(8)} ${f.path}`)];
}

export function formatStatus(status: IntegrationStatus): string {
  const system = formatSystemFiles(status);
  if (!status.installed) return [...system, "NoFear's desktop integration is not installed for you.", '  fix: nofearctl integrate install [--risky | --default-for TYPE...]', ''].join('\n');
  const lines = [...system, `installed ${status.installedAt ?? ''} (record: ${status.stateFile})`, ...(status.files.length > 0 ? ['files:'] : [])];
  for (const f of status.files) lines.push(`  ${f.role.padEnd(14)} ${f.health.padEnd(8)} ${f.path}`);
  if (status.thunarAction !== undefined) lines.push(`  ${'thunar'.padEnd(14)} ${(status.thunarAction ? 'ok' : 'missing').padEnd(8)} custom action in uca.xml`);
  const owned = status.types.filter((t) => t.owned);
  lines.push(`default for ${owned.length} of ${status.types.length} chosen types${status.types.length === 0 ? ' (add some with --risky or --default-for TYPE)' : ':'}`);
  for (const t of status.types) {
    const previous = t.previous === undefined ? 'none before' : `before: ${t.previous}`;
    lines.push(t.owned ? `  ${t.type}  NoFear (${previous})` : `  ${t.type}  NOT NoFear: opens with ${t.opensWith ?? 'nothing'}${t.origin === undefined ? '' : ` (set in ${t.origin})`}`);
  }
  return `${lines.join('\n')}\n`;
}
