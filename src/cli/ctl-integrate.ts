// `nofearctl integrate install [--risky] [--default-for TYPE...] | uninstall | status [--json]`: argument
// parsing and what each prints; the work is in integration-install/uninstall/status.
import type { Env } from '../util/xdg.js';
import { invalidArgument } from '../errors.js';
import { install } from '../integrate/install.js';
import { integrationPaths } from '../integrate/paths.js';
import { formatStatus, integrationStatus } from '../integrate/status.js';
import { RISKY_TYPES } from '../integrate/types.js';
import { uninstall } from '../integrate/uninstall.js';
import { NoFearClient } from '../service/client.js';

export const INTEGRATE_USAGE = `usage: nofearctl integrate install [--risky] [--default-for TYPE...] | uninstall | status [--json]
  install        the desktop entry, D-Bus service, systemd unit and "Open in NoFear" for Nautilus, Caja,
                 Nemo, Thunar and Dolphin, for you only; with --risky (PDF, Office, images, archives, audio,
                 video...) or --default-for TYPE..., NoFear also becomes the default for those types
  uninstall      removes all of it and gives every type its previous default back
  status         what is installed and which types NoFear opens`;

export function parseInstallTypes(args: readonly string[]): string[] {
  const types: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--risky') types.push(...RISKY_TYPES);
    else if (arg.startsWith('--default-for=')) types.push(arg.slice('--default-for='.length));
    else if (arg === '--default-for') {
      const start = i;
      while (args[i + 1] !== undefined && !(args[i + 1] ?? '').startsWith('-')) types.push(args[++i] ?? '');
      if (i === start) throw invalidArgument('--default-for needs at least one MIME type.', 'nofearctl integrate install --default-for application/pdf');
    } else throw invalidArgument(`nofearctl integrate install: unknown argument ${arg}.`, INTEGRATE_USAGE.split('\n')[0]?.replace('usage: ', '') ?? '');
  }
  return types.filter((type) => type !== '');
}

const out = (text: string) => process.stdout.write(text);
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

export async function integrateCommand(args: readonly string[], env: Env = process.env): Promise<number> {
  const [verb, ...rest] = args;
  switch (verb) {
    case 'install': {
      const report = await withBus(env, (reloadBus) => install({ types: parseInstallTypes(rest) }, env, reloadBus));
      out(`installed ${report.state.files.length} files and the Thunar action; the record is ${integrationPaths(env).stateFile}\n`);
      if (report.added.length > 0) out(`NoFear is now the default for ${report.added.length} more types (${report.state.types.length} in all)\n`);
      else if (report.state.types.length === 0) out('NoFear is not the default for any type; add --risky or --default-for TYPE to make it one\n');
      // File managers load their extensions and actions when they start.
      out('"Open in NoFear" appears once the file manager restarts (e.g. nautilus -q)\n');
      warn(report.warnings);
      return 0;
    }
    case 'uninstall': {
      const report = await withBus(env, (reloadBus) => uninstall(env, reloadBus));
      if (report.state === undefined) {
        out('NoFear\'s desktop integration is not installed; nothing to remove\n');
        return 0;
      }
      out(`removed ${report.removed.length} files`);
      if (report.mimeapps !== undefined) out(`; mimeapps.list ${report.mimeapps === 'restored' ? 'restored byte for byte' : report.mimeapps === 'edited' ? 'edited: NoFear\'s entries removed, yours kept' : 'was gone'}`);
      out('\n');
      for (const file of report.changed) out(`(${file} had been changed since install; removed as NoFear's)\n`);
      warn(report.warnings);
      return 0;
    }
    case 'status': {
      const status = await integrationStatus(env);
      out(rest.includes('--json') ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
      return 0;
    }
    case undefined:
    case '-h':
    case '--help':
      out(`${INTEGRATE_USAGE}\n`);
      return 0;
    default:
      throw invalidArgument(`nofearctl integrate: unknown command ${verb}.`, 'nofearctl integrate install|uninstall|status');
  }
}
