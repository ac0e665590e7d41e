// nofear-open through the session service (org.nofear.NoFear), started by D-Bus activation if needed.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import dbus from 'dbus-next';
import { NoFearError, type ErrorCode } from '../errors.js';
import type { OpenArgs } from './nofear-open-args.js';

const NOT_THERE = new Set(['org.freedesktop.DBus.Error.ServiceUnknown', 'org.freedesktop.DBus.Error.NameHasNoOwner', 'org.freedesktop.DBus.Error.Spawn.ChildExited']);

/**
 * The exit status when the service handled the request, or undefined to fall back to opening in this
 * process (no bus, or no service to be had on it). The call is always awaited: a cold activation
 * loses a call whose caller has gone.
 */
export async function openThroughService(args: OpenArgs, env: NodeJS.ProcessEnv): Promise<number | undefined> {
  if (!env.DBUS_SESSION_BUS_ADDRESS || env.DBUS_SESSION_BUS_ADDRESS.startsWith('unix:abstract=')) return undefined;
  let bus: ReturnType<typeof dbus.sessionBus>;
  try {
    bus = dbus.sessionBus();
  } catch {
    return undefined;
  }
  bus.on('error', () => {});
  try {
    const proxy = await bus.getProxyObject('org.nofear.NoFear', '/org/nofear/NoFear');
    const manager = proxy.getInterface('org.nofear.NoFear1.Manager');
    const options: Record<string, InstanceType<typeof dbus.Variant>> = {};
    if (args.viewer !== undefined) options.viewer = new dbus.Variant('s', args.viewer);
    if (args.wait) options.wait = new dbus.Variant('b', true);
    const uris = args.targets.map((target) => (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(target) ? target : pathToFileURL(path.resolve(target)).href));
    const opened = (await manager.OpenUris(uris, options)) as string[];
    if (args.verbose) process.stderr.write(`nofear-open: the service opened ${opened.join(' ')}\n`);
    return 0;
  } catch (error) {
    const type = (error as { type?: string }).type ?? '';
    if (NOT_THERE.has(type) || type === '') return undefined;
    const code = type.startsWith('org.nofear.NoFear1.Error.') ? (type.slice('org.nofear.NoFear1.Error.'.length) as ErrorCode) : 'Unavailable';
    throw new NoFearError(code, (error as Error).message.replace(/ Fix: .*$/, ''), { fix: /Fix: (.*)$/.exec((error as Error).message)?.[1] ?? 'nofearctl doctor' });
  } finally {
    bus.disconnect();
  }
}
