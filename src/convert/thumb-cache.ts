// Where the freedesktop thumbnail spec keeps a file's thumbnails, and writing NoFear's there: the cache is
// $XDG_CACHE_HOME/thumbnails/{normal,large}/MD5(URI).png, a failed attempt is recorded under
// fail/APP/MD5(URI).png. A thumbnail is written under a temporary name and renamed over the one there
// (the guard's placeholder), and the factory's failure record for the file is removed, so a file manager
// takes NoFear's thumbnail from then on.
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { xdgCacheHome } from '../util/xdg.js';
import { encodePng, fitWithin, type RgbImage } from './thumb-png.js';

/** The PNGs' Software key: how NoFear knows its own thumbnails. */
export const SOFTWARE = 'NoFear (rendered in a VM)';

/** One PNG NoFear wrote into the cache, for the file at that mtime. */
export interface WrittenThumbnail {
  /** Its place in the cache. */
  target: string;
  png: Buffer;
  file: string;
  mtimeSeconds: number;
}

/** The spec's sizes: normal is 128 pixels on the longer side, large 256. */
export const THUMB_SIZES = { normal: 128, large: 256 } as const;
export type ThumbSize = keyof typeof THUMB_SIZES;

/** Bytes GLib's g_filename_to_uri leaves as they are in a path; every other byte is %XX (upper case). */
const KEPT = /[A-Za-z0-9!$&'()*+,\-./:=@_~]/;

/** The file:// URI of an absolute path, byte for byte as GLib writes it (the thumbnail's key). */
export function fileUri(absolute: string): string {
  let out = 'file://';
  for (const byte of Buffer.from(absolute, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += byte < 0x80 && KEPT.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function thumbnailPath(env: NodeJS.ProcessEnv, uri: string, size: ThumbSize | 'fail'): string {
  const name = `${createHash('md5').update(uri).digest('hex')}.png`;
  const root = path.join(xdgCacheHome(env), 'thumbnails');
  return size === 'fail' ? path.join(root, 'fail', 'gnome-thumbnail-factory', name) : path.join(root, size, name);
}

/**
 * Writes the file's normal and large thumbnails from one image (at most 256 pixels on its longer side);
 * `keep` is told of each (the service's ThumbnailKeeper puts it back over a placeholder saved after it).
 */
export async function writeThumbnails(env: NodeJS.ProcessEnv, file: string, mtimeSeconds: number, image: RgbImage, keep?: (written: WrittenThumbnail) => void): Promise<string[]> {
  const uri = fileUri(file);
  const written: string[] = [];
  for (const size of Object.keys(THUMB_SIZES) as ThumbSize[]) {
    const fitted = fitWithin(image, THUMB_SIZES[size]);
    const png = encodePng(fitted, [
      ['Thumb::URI', uri],
      ['Thumb::MTime', String(mtimeSeconds)],
      ['Software', SOFTWARE],
    ]);
    const target = thumbnailPath(env, uri, size);
    await fsp.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    const temp = `${target}.nofear-${randomBytes(6).toString('hex')}.tmp`;
    try {
      // The spec's 0600: a thumbnail shows what the file holds.
      await fsp.writeFile(temp, png, { mode: 0o600, flag: 'wx' });
      await fsp.rename(temp, target);
    } catch (error) {
      await fsp.rm(temp, { force: true });
      throw error;
    }
    written.push(target);
    keep?.({ target, png, file, mtimeSeconds });
  }
  await fsp.rm(thumbnailPath(env, uri, 'fail'), { force: true });
  return written;
}
