// `nofearctl integrate install [--risky] [--links] [--mail] [--default-for TYPE...] | uninstall | status [--json]`: what each
// prints; the work is in src/integrate (install, uninstall, status).
import type { Env } from '../util/xdg.js';
import { install } from '../integrate/install.js';
import { integrationPaths } from '../integrate/paths.js';
import { formatStatus, integrationStatus } from '../integrate/status.js';
import { LINK_TYPES, MAIL_ATTACHMENT_TYPES, NOFEAR_DESKTOP_ID, RISKY_TYPES } from '../integrate/types.js';
import { uninstall } from '../integrate/uninstall.js';
import { writeByOrigin } from '../integrate/by-origin.js';
import { startAtLogin, stopStartingAtLogin } from '../integrate/start-at-login.js';
import { NoFearClient } from '../service/bus/client.js';

export type IntegrateRequest =
  { verb: 'install'; risky: boolean; links?: boolean; mail?: boolean; defaultFor: readonly string[]; byOrigin?: boolean } | { verb: 'uninstall' } | { verb: 'status'; json: boolean };

/** The types install makes NoFear the default for: --risky's list, --links' schemes, --mail's, then those named with --default-for (each once). */
export function installTypes(risky: boolean, defaultFor: readonly string[], links = false, mail = false): string[] {
  const types = [...(risky ? RISKY_TYPES : []), ...(links ? LINK_TYPES : []), ...(mail ? MAIL_ATTACHMENT_TYPES : []), ...defaultFor].filter((type) => type !== '');
  return [...new Set(types)];
}

/** What install changed, a line per type: the application that had it (recorded, and what runs in the VM) and NoFear now. */
export function changedLines(added: readonly string[], previous: Readonly<Record<string, string>>): string[] {
  return added.map((type) => `  ${type}: ${previous[type] ?? 'no default'} -> ${NOFEAR_DESKTOP_ID}`);
}

const out = (text: string) => process.stdout.write(text);

/** What --links changed: which browser now runs in the throwaway VM (the one that had the scheme before). */
export function linksReport(previous: Readonly<Record<string, string>>): string {
  const browser = previous['x-scheme-handler/https'] ?? previous['x-scheme-handler/http'];
  return browser === undefined
    ? 'web links (http, https) now open in a throwaway VM; no browser was the default before: install one (e.g. sudo apt-get install firefox-esr)\n'
    : `web links (http, https) now open in ${browser} in a throwaway VM (your browser before, recorded; integrate uninstall gives links back to it)\n`;
}
const warn = (lines: readonly string[]) => {
  for (const line of lines) process.stderr.write(`nofearctl: warning: ${line}\n`);
};

/** A running session bus re-reads its service dirs after integrate changed them. */
async function withBus<T>(env: Env, work: (reloadBus: () => Promise<void>) => Promise<T>): Promise<T> {
  const client = env.DBUS_SESSION_BUS_ADDRESS ? NoFearClient.connect(env as NodeJS.ProcessEnv) : undefined;
  try {
    return await work(async () => client?.reloadBusConfig());
  } finally {
    client?.close();
  }
}

/** The command line was read by the grammar (src/cli/spec-nofearctl.ts). */
export async function integrateCommand(request: IntegrateRequest, env: Env = process.env): Promise<number> {
  switch (request.verb) {
    case 'install': {
      const report = await withBus(env, (reloadBus) => install({ types: installTypes(request.risky, request.defaultFor, request.links, request.mail) }, env, reloadBus));
      out(
        report.system
          ? `the nofear package holds the desktop entry, D-Bus service and file-manager extensions; added the Thunar action; the record is ${integrationPaths(env).stateFile}\n`
          : `installed ${report.state.files.length} files and the Thunar action; the record is ${integrationPaths(env).stateFile}\n`,
      );
      if (report.added.length > 0)
        out(`NoFear is now the default for ${report.added.length} more types (${report.state.types.length} in all):\n${changedLines(report.added, report.state.previousDefaults).join('\n')}\n`);
      if (request.links) out(linksReport(report.state.previousDefaults));
      else if (report.state.types.length === 0) out('NoFear is not the default for any type; add --risky or --default-for TYPE to make it one\n');
      // File managers load their extensions and actions when they start.
      // So do thumbnail factories: until then they thumbnail files from outside with the host's own parsers.
      out('"Open in NoFear" and the thumbnail guard (files from outside get a placeholder, not a host parser) take effect once the file manager restarts (e.g. nautilus -q)\n');
      // The service from the graphical session's start: its pool readies a VM before the first open (issue 30).
      if (report.unit !== undefined) out(`${await startAtLogin(report.unit, env, 'graphical-session.target')}: the service starts with your desktop session (systemd user unit)\n`);
      if (request.byOrigin === true) {
        const file = await writeByOrigin(env as NodeJS.ProcessEnv);
        out(`${file}: [trust] policy = marked, watch = on: files from outside open in a VM, the rest at once in their previous application\n`);
        // The watcher marks what arrives only while the service runs: from login on, not from the first open.
        if (report.unit !== undefined) out(`${await startAtLogin(report.unit, env, 'default.target')}: the service starts at login (systemd user unit)\n`);
      }
      warn(report.warnings);
      return 0;
    }
    case 'uninstall': {
      // The links first: the folders install made (systemd/user) are removed only once empty.
      const atLogin = await stopStartingAtLogin(env);
      const report = await withBus(env, (reloadBus) => uninstall(env, reloadBus));
      if (report.state === undefined) {
        out("NoFear's desktop integration is not installed; nothing to remove\n");
        return 0;
      }
      out(`removed ${report.removed.length} files${atLogin ? ' and the start at login' : ''}`);
      if (report.mimeapps !== undefined)
        out(`; mimeapps.list ${report.mimeapps === 'restored' ? 'restored byte for byte' : report.mimeapps === 'edited' ? "edited: NoFear's entries removed, yours kept" : 'was gone'}`);
      out('\n');
      for (const file of report.changed) out(`(${file} had been changed since install; removed as NoFear's)\n`);
      warn(report.warnings);
      return 0;
    }
    case 'status': {
      const status = await integrationStatus(env);
      out(request.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
      return 0;
    }
  }
}
