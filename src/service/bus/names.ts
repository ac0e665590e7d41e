// NoFear's names on the session bus, and the mapping between its error names and NoFearError codes:
// the contract (org.nofear.NoFear1.xml) in constants, for the service and its clients alike. Pure.
import { NoFearError, type ErrorCode } from '../../errors.js';
import { ID_PATTERN } from '../../sandbox/registry.js';

export const BUS_NAME = 'org.nofear.NoFear';
export const OBJECT_PATH = '/org/nofear/NoFear';
export const SANDBOX_PATH_PREFIX = `${OBJECT_PATH}/sandbox/`;
export const MANAGER_INTERFACE = 'org.nofear.NoFear1.Manager';
export const SANDBOX_INTERFACE = 'org.nofear.NoFear1.Sandbox';
export const APPLICATION_INTERFACE = 'org.freedesktop.Application';
export const ERROR_PREFIX = 'org.nofear.NoFear1.Error.';

/** NoFear's failure classes as D-Bus error names; 'Failed' (NoFear could not do it) reads as Unavailable. */
const ERROR_NAMES: Record<ErrorCode, string> = {
  InvalidArgument: 'InvalidArgument',
  NotFound: 'NotFound',
  NoViewer: 'NoViewer',
  LimitReached: 'LimitReached',
  Unavailable: 'Unavailable',
  AccessDenied: 'AccessDenied',
  Failed: 'Unavailable',
};

export function dbusErrorName(code: ErrorCode): string {
  return ERROR_PREFIX + ERROR_NAMES[code];
}

/** The service answers errors as "MESSAGE Fix: FIX" (NoFearError.describe()). */
const FIX_SEPARATOR = ' Fix: ';

/** A D-Bus error from the service, back into the NoFearError it was; undefined for a foreign error. */
export function errorFromBus(name: string, text: string): NoFearError | undefined {
  if (!name.startsWith(ERROR_PREFIX)) return undefined;
  const code = name.slice(ERROR_PREFIX.length) as ErrorCode;
  const known = (Object.keys(ERROR_NAMES) as ErrorCode[]).includes(code) ? code : 'Unavailable';
  const at = text.lastIndexOf(FIX_SEPARATOR);
  return at < 0 ? new NoFearError(known, text) : new NoFearError(known, text.slice(0, at), { fix: text.slice(at + FIX_SEPARATOR.length) });
}

/** The D-Bus object path grammar: a reply or signal with a bad one makes the bus drop the connection. */
export function isObjectPath(value: unknown): value is string {
  return typeof value === 'string' && /^\/(?:[A-Za-z0-9_]+(?:\/[A-Za-z0-9_]+)*)?$/.test(value);
}

export function sandboxObjectPath(id: string): string {
  if (!ID_PATTERN.test(id)) throw new Error(`not a sandbox id: ${JSON.stringify(id)}`);
  return SANDBOX_PATH_PREFIX + id;
}

export function sandboxIdOf(objectPath: string): string | undefined {
  const id = objectPath.startsWith(SANDBOX_PATH_PREFIX) ? objectPath.slice(SANDBOX_PATH_PREFIX.length) : '';
  return ID_PATTERN.test(id) ? id : undefined;
}
