// Tumbler (Xfce's thumbnailer service) parses PDFs, images, fonts, videos and office files inside tumblerd
// itself, in plugins no .thumbnailer entry can guard. NoFear's edit of the user's tumbler.rc disables those
// plugins, so tumbler thumbnails through its DesktopThumbnailer alone, which runs NoFear's guard entries
// (thumbnailers.ts). Tumbler reads the first tumbler.rc it finds, the user's before the system's
// (tumbler-util.c, 4.18): a user without one gets the system's with NoFear's edit.
import path from 'node:path';
import { KeyFile } from '../desktop/keyfile.js';
import { xdgConfigDirs, xdgConfigHome, type Env } from '../util/xdg.js';

/** tumbler 4.18's plugins that parse the file in tumblerd's own process. */
export const PARSING_PLUGINS = [
  'JPEGThumbnailer',
  'RawThumbnailer',
  'PixbufThumbnailer',
  'FfmpegThumbnailer',
  'GstThumbnailer',
  'FontThumbnailer',
  'PopplerThumbnailer',
  'OdfThumbnailer',
  'EpubThumbnailer',
] as const;
const NOTE = '# NoFear: disabled (it would parse files from outside inside tumblerd); nofearctl integrate uninstall enables it again';

export const userTumblerRc = (env: Env): string => path.join(xdgConfigHome(env), 'tumbler', 'tumbler.rc');
export const systemTumblerRcs = (env: Env): string[] => xdgConfigDirs(env).map((dir) => path.join(dir, 'tumbler', 'tumbler.rc'));

/** The rc text with every parsing plugin disabled (a byte string in, one out: other lines stay as they were). */
export function disableParsingPlugins(text: string | undefined): string {
  const file = KeyFile.parse(text ?? '');
  let changed = false;
  for (const group of PARSING_PLUGINS) {
    if (file.getString(group, 'Disabled') === 'true') continue;
    file.setString(group, 'Disabled', 'true');
    changed = true;
  }
  if (!changed) return text ?? '';
  const out = file.toString().replace(/([^\n])$/, '$1\n');
  return out.startsWith(NOTE) ? out : `${NOTE}\n${out}`;
}

/** Undoes the edit where the file changed since: the note goes and the plugins are enabled again. */
export function enableParsingPlugins(text: string): string {
  const file = KeyFile.parse(
    text
      .split('\n')
      .filter((line) => line !== NOTE)
      .join('\n'),
  );
  for (const group of PARSING_PLUGINS) if (file.getString(group, 'Disabled') === 'true') file.setString(group, 'Disabled', 'false');
  return file.toString();
}
