// --keep-originals=unsafe: once its safe PDF is written, the original moves into an unsafe/ folder
// beside it (as Dangerzone does), so that the folder keeps what is safe to open and the originals stay
// apart. Never replaces a file: a name taken in unsafe/ gets " (2)".
import { constants as fsc, promises as fsp } from 'node:fs';
import path from 'node:path';
import { UNSAFE_DIR } from './convert-targets.js';

/** "report.pdf", then "report (2).pdf", ... */
export function keptName(name: string, attempt: number): string {
  if (attempt === 1) return name;
  const { name: stem, ext } = path.parse(name);
  return `${stem} (${attempt})${ext}`;
}

/** Moves `file` to DIR/unsafe/NAME (made 0700 if new); returns where it went. */
export async function moveToUnsafe(file: string): Promise<string> {
  const dir = path.join(path.dirname(file), UNSAFE_DIR);
  await fsp.mkdir(dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  const stat = await fsp.lstat(dir);
  if (!stat.isDirectory()) throw new Error(`${dir} is not a folder`);
  for (let attempt = 1; attempt <= 100; attempt++) {
    const target = path.join(dir, keptName(path.basename(file), attempt));
    try {
      // link then unlink: never over an existing name (rename would replace it).
      await fsp.link(file, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    await fsp.unlink(file);
    return target;
  }
  await fsp.access(dir, fsc.W_OK);
  throw new Error(`no free name for ${path.basename(file)} in ${dir}`);
}
