// `integrate install --by-origin`: config.ini gets `[trust] policy = marked` (files from outside open in a VM,
// the rest natively) and `watch = on` (the service marks what arrives). Only those two lines change: the rest of
// the file is kept as the user wrote it (ini would drop comments).
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { configPath } from '../config/index.js';
import { writeFileAtomic } from '../util/publish.js';

const WANTED: ReadonlyArray<[string, string]> = [
  ['policy', 'marked'],
  ['watch', 'on'],
];

/** Pure: the config text with [trust] policy and watch set, every other line kept. */
export function withByOrigin(text: string): string {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  let start = lines.findIndex((line) => /^\s*\[trust\]\s*$/.test(line));
  if (start < 0) {
    if (lines.length > 0 && lines.at(-1)?.trim() !== '') lines.push('');
    lines.push('[trust]');
    start = lines.length - 1;
  }
  let end = lines.findIndex((line, i) => i > start && /^\s*\[/.test(line));
  if (end < 0) end = lines.length;
  for (const [key, value] of WANTED) {
    const at = lines.findIndex((line, i) => i > start && i < end && new RegExp(`^\\s*${key}\\s*=`).test(line));
    if (at >= 0) lines[at] = `${key} = ${value}`;
    else {
      lines.splice(start + 1, 0, `${key} = ${value}`);
      end++;
    }
  }
  return `${lines.join('\n')}\n`;
}

export async function writeByOrigin(env: NodeJS.ProcessEnv): Promise<string> {
  const file = configPath(env);
  const text = await fsp.readFile(file, 'utf8').catch(() => '');
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, withByOrigin(text), 0o644);
  return file;
}
