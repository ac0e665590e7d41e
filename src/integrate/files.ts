// The files `integrate install` writes, where each comes from in the checkout, and how it is rendered:
// desktop-format files get their Exec programs replaced by the installed launchers' absolute paths, the
// D-Bus service file and the systemd unit get @NOFEARCTL@ / @NOFEAR_OPEN@ filled in.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NoFearError } from '../errors.js';
import { DESKTOP_GROUP } from '../desktop/desktop-entry.js';
import { KeyFile } from '../desktop/keyfile.js';
import { quoteProgram, type Launchers } from './launchers.js';
import type { IntegrationPaths } from './paths.js';

/** The checkout's root: this module sits two levels below it, as src/desktop/*.ts and as dist/desktop/*.js. */
export const SOURCE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type Role = 'desktop-entry' | 'icon' | 'dbus-service' | 'systemd-unit' | 'nautilus' | 'caja' | 'nemo' | 'nemo-edit' | 'nemo-convert' | 'nemo-trust' | 'dolphin';
/** python: @NOFEARCTL@ filled in inside a single-quoted Python string (the file manager extension). */
type Render = 'copy' | 'exec' | 'placeholders' | 'python';

export interface ShippedFile {
  role: Role;
  /** Relative to SOURCE_ROOT. */
  source: string;
  target: (paths: IntegrationPaths) => string;
  render: Render;
  mode: number;
}

export const SHIPPED_FILES: readonly ShippedFile[] = [
  { role: 'desktop-entry', source: 'desktop-entries/org.nofear.NoFear.desktop', target: (p) => path.join(p.applicationsDir, 'org.nofear.NoFear.desktop'), render: 'exec', mode: 0o644 },
  { role: 'icon', source: 'desktop-entries/org.nofear.NoFear.svg', target: (p) => path.join(p.dataHome, 'icons', 'hicolor', 'scalable', 'apps', 'org.nofear.NoFear.svg'), render: 'copy', mode: 0o644 },
  {
    role: 'dbus-service',
    source: 'desktop-entries/org.nofear.NoFear.service',
    target: (p) => path.join(p.dataHome, 'dbus-1', 'services', 'org.nofear.NoFear.service'),
    render: 'placeholders',
    mode: 0o644,
  },
  { role: 'systemd-unit', source: 'desktop-entries/nofear.service', target: (p) => path.join(p.configHome, 'systemd', 'user', 'nofear.service'), render: 'placeholders', mode: 0o644 },
  { role: 'nautilus', source: 'nautilus/nofear_nautilus.py', target: (p) => path.join(p.dataHome, 'nautilus-python', 'extensions', 'nofear_nautilus.py'), render: 'python', mode: 0o644 },
  // caja-python loads the same extension; it finds its own namespace (see the file's _host_name).
  { role: 'caja', source: 'nautilus/nofear_nautilus.py', target: (p) => path.join(p.dataHome, 'caja-python', 'extensions', 'nofear_caja.py'), render: 'python', mode: 0o644 },
  { role: 'nemo', source: 'nautilus/nofear.nemo_action', target: (p) => path.join(p.dataHome, 'nemo', 'actions', 'nofear.nemo_action'), render: 'exec', mode: 0o644 },
  // Nemo takes one action per file: "Edit in NoFear" and "Convert to a safe PDF with NoFear" have their own.
  { role: 'nemo-edit', source: 'nautilus/nofear-edit.nemo_action', target: (p) => path.join(p.dataHome, 'nemo', 'actions', 'nofear-edit.nemo_action'), render: 'exec', mode: 0o644 },
  { role: 'nemo-convert', source: 'nautilus/nofear-convert.nemo_action', target: (p) => path.join(p.dataHome, 'nemo', 'actions', 'nofear-convert.nemo_action'), render: 'exec', mode: 0o644 },
  { role: 'nemo-trust', source: 'nautilus/nofear-trust.nemo_action', target: (p) => path.join(p.dataHome, 'nemo', 'actions', 'nofear-trust.nemo_action'), render: 'exec', mode: 0o644 },
  // KDE runs service menus from the user's home only when they are executable.
  { role: 'dolphin', source: 'nautilus/nofear-dolphin.desktop', target: (p) => path.join(p.dataHome, 'kio', 'servicemenus', 'nofear.desktop'), render: 'exec', mode: 0o755 },
];

export const THUNAR_ACTION_SOURCE = 'nautilus/nofear-thunar-action.xml';

const PROGRAMS: Readonly<Record<string, keyof Launchers>> = { 'nofear-open': 'nofearOpen', nofearctl: 'nofearctl' };

/** Replaces the program of every Exec key that names a NoFear command; the rest of each line is kept. */
export function renderExec(text: string, launchers: Launchers): string {
  const file = KeyFile.parse(text);
  for (const group of file.groups()) {
    const exec = file.getRaw(group, 'Exec');
    const match = exec === undefined ? null : /^(\S+)(.*)$/.exec(exec);
    const launcher = match?.[1] === undefined ? undefined : PROGRAMS[match[1]];
    if (match !== null && launcher !== undefined) file.setRaw(group, 'Exec', `${quoteProgram(launchers[launcher])}${match[2] ?? ''}`);
  }
  return file.toString();
}

export function renderPlaceholders(text: string, launchers: Launchers, escape: (value: string) => string = (v) => v): string {
  return text.replaceAll('@NOFEARCTL@', escape(quoteProgram(launchers.nofearctl))).replaceAll('@NOFEAR_OPEN@', escape(quoteProgram(launchers.nofearOpen)));
}

export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

export async function readSource(relative: string): Promise<Buffer> {
  const file = path.join(SOURCE_ROOT, relative);
  try {
    return await fsp.readFile(file);
  } catch (error) {
    throw new NoFearError('NotFound', `NoFear's ${relative} is missing from ${SOURCE_ROOT}.`, {
      fix: 'run nofearctl from a complete NoFear checkout (git status shows what is missing)',
      cause: error,
    });
  }
}

/**
 * The installed entry declares only the types NoFear is the default for. GLib takes a type's default, when no
 * mimeapps.list names one, from the first applications dir that has an entry for it, and the user's own dir
 * comes first: declaring the template's whole risky list there would quietly make NoFear the default for
 * every one of them that the distribution leaves without an explicit default.
 */
export function restrictMimeTypes(text: string, types: readonly string[]): string {
  const file = KeyFile.parse(text);
  if (types.length === 0) file.removeKey(DESKTOP_GROUP, 'MimeType');
  else file.setList(DESKTOP_GROUP, 'MimeType', types);
  return file.toString();
}

export async function renderShipped(file: ShippedFile, launchers: Launchers, ownedTypes: readonly string[]): Promise<Buffer> {
  const bytes = await readSource(file.source);
  switch (file.render) {
    case 'copy':
      return bytes;
    case 'exec': {
      const text = renderExec(bytes.toString('utf8'), launchers);
      return Buffer.from(file.role === 'desktop-entry' ? restrictMimeTypes(text, ownedTypes) : text);
    }
    case 'placeholders':
      return Buffer.from(renderPlaceholders(bytes.toString('utf8'), launchers));
    case 'python':
      return Buffer.from(renderPlaceholders(bytes.toString('utf8'), launchers, (value) => value.replace(/[\\']/g, (c) => `\\${c}`)));
  }
}
