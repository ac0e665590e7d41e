// What a target names: a local file (a path, or a file:// URI) or a web address; other schemes are refused.
import { invalidArgument } from '../errors.js';

/** The scheme of an absolute URI with an authority (`https://…`, `file://…`), lower-cased; else undefined. */
export function uriScheme(target: string): string | undefined {
  return /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(target)?.[1]?.toLowerCase();
}

/**
 * A target is a URL only when it is an absolute URI with `//`: file:// URIs become paths, http(s) go to
 * the default browser, other schemes are refused. Anything else is a path whatever its characters: a
 * local file named `https:attacker.example` is a file, never a web page in a networked VM.
 */
export function classifyTarget(target: string): { kind: 'file'; path: string } | { kind: 'url'; url: string; scheme: 'http' | 'https' } {
  const scheme = uriScheme(target);
  if (scheme === undefined) return { kind: 'file', path: target };
  if (scheme === 'file') {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      throw invalidArgument(`${JSON.stringify(target)} is not a valid file:// URI.`, 'pass a path or a file:///absolute/path URI');
    }
    if (url.host !== '' && url.host !== 'localhost') throw invalidArgument(`${target} names another host; NoFear opens local files.`, 'copy the file here first');
    return { kind: 'file', path: decodeURIComponent(url.pathname) };
  }
  if (scheme === 'http' || scheme === 'https') {
    try {
      return { kind: 'url', url: new URL(target).href, scheme };
    } catch {
      throw invalidArgument(`${JSON.stringify(target)} is not a valid web address.`, 'check the URL');
    }
  }
  throw invalidArgument(`NoFear opens files and http(s) addresses, not ${scheme}:// URIs.`, 'pass a file path or an http(s) URL');
}
