// Where `nofearctl integrate` puts each file, per user and from the XDG variables only (no root, no /usr).
import path from 'node:path';
import { xdgConfigDirs, xdgConfigHome, xdgDataHome, xdgStateHome, type Env } from '../util/xdg.js';

export interface IntegrationPaths {
  dataHome: string;
  configHome: string;
  applicationsDir: string;
  /** GLib reads MIME associations of a user applications dir only from this cache. */
  mimeinfoCache: string;
  mimeappsList: string;
  thunarUca: string;
  /** The system's uca.xml files, in precedence order (Thunar reads the first while the user has none). */
  thunarSystemUca: string[];
  stateFile: string;
}

export function integrationPaths(env: Env = process.env): IntegrationPaths {
  const dataHome = xdgDataHome(env);
  const configHome = xdgConfigHome(env);
  const applicationsDir = path.join(dataHome, 'applications');
  return {
    dataHome,
    configHome,
    applicationsDir,
    mimeinfoCache: path.join(applicationsDir, 'mimeinfo.cache'),
    mimeappsList: path.join(configHome, 'mimeapps.list'),
    thunarUca: path.join(configHome, 'Thunar', 'uca.xml'),
    thunarSystemUca: xdgConfigDirs(env).map((dir) => path.join(dir, 'Thunar', 'uca.xml')),
    stateFile: path.join(xdgStateHome(env), 'nofear', 'integration.json'),
  };
}
