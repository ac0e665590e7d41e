// The guest X server's keymap, compiled on the host once per guest image. Every GUI VM's Xvfb compiles its
// default keymap (rules evdev, model pc105, layout us) with xkbcomp as it starts, and again when the Xpra
// server sets the host client's layout (the same one: the jailed client cannot read the host's layout, so
// Xpra falls back to us): 2.4-10 s of the guest's CPU under TCG, beside the Xpra server's own start. The
// guest's xkbcomp (src/guest/xkbcomp.sh) serves a compile whose arguments and keymap text it finds here
// from the image, and compiles anything else itself. The host's xkbcomp and XKB data are the guest's (its
// /usr is the host's), so the bytes are what the guest would compile; the image's key follows both.
// Nothing flows back: the guest only reads these files.
import { createHash } from 'node:crypto';
import { lstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runTool } from '../util/run.js';

export const XKBCOMP = '/usr/bin/xkbcomp';
const XKB_DATA = '/usr/share/X11/xkb';
/** Where the image holds them; src/guest/xkbcomp.sh looks there first. */
export const SEEDED_KEYMAP_DIR = '.nofear/xkm';
const COMPILE_DEADLINE_MS = 30_000;

/** Xvfb 21's default keymap components (its rules, model and layout, resolved by the evdev rules). */
export const XVFB_DEFAULT_COMPONENTS: readonly (readonly [section: string, include: string])[] = [
  ['keycodes', 'evdev+aliases(qwerty)'],
  ['types', 'complete'],
  ['compatibility', 'complete'],
  ['symbols', 'pc+us+inet(evdev)'],
  ['geometry', 'pc(pc105)'],
];

/** The text Xvfb writes on xkbcomp's stdin for these components (xkb/xkbout.c's format). Pure. */
export function serverKeymapText(components: readonly (readonly [string, string])[]): string {
  return ['xkb_keymap "default" {\n', ...components.map(([section, include]) => `    xkb_${section.padEnd(20)} { include "${include}" };\n`), '};\n'].join('');
}

/** Xvfb's xkbcomp command line for display :100 (xkb/ddxLoad.c), its output in /tmp (the user cannot write /var/lib/xkb). Pure. */
export function serverCompileArgs(display = 100, outputDir = '/tmp'): string[] {
  return [
    '-w',
    '1',
    `-R${XKB_DATA}`,
    '-xkm',
    '-',
    '-em1',
    'The XKEYBOARD keymap compiler (xkbcomp) reports:',
    '-emp',
    '> ',
    '-eml',
    'Errors from xkbcomp are not fatal to the X server',
    `${outputDir}/server-${display}.xkm`,
  ];
}

/** The name src/guest/xkbcomp.sh looks for: sha256 of each argument and a newline, then the keymap text. Pure. */
export function seededKeymapKey(args: readonly string[], text: string): string {
  return createHash('sha256')
    .update(args.map((arg) => `${arg}\n`).join('') + text)
    .digest('hex');
}

/** What keys the compiled bytes besides the text: the compiler and the XKB data it reads (a package update changes a directory's mtime). */
export function keymapInputsStamp(): string {
  const stamps: string[] = [];
  for (const file of [XKBCOMP, ...['rules', 'keycodes', 'types', 'compat', 'symbols', 'geometry'].map((dir) => path.join(XKB_DATA, dir))]) {
    try {
      const stat = lstatSync(file);
      stamps.push(`${file}:${stat.size}:${stat.mtimeMs}`);
    } catch {
      stamps.push(`${file}:absent`);
    }
  }
  return stamps.join('\n');
}

export interface SeededKeymap {
  /** The file's path inside the image. */
  path: string;
  data: Buffer;
}

/**
 * Xvfb's default keymap, compiled with the host's xkbcomp as the guest's X server would ask for it.
 * None when the host has no xkbcomp or it fails: the guest then compiles for itself, as before.
 */
export async function compileSeededKeymaps(args: readonly string[] = serverCompileArgs()): Promise<SeededKeymap[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nofear-xkm-'));
  try {
    const text = serverKeymapText(XVFB_DEFAULT_COMPONENTS);
    const out = path.join(dir, path.basename(args.at(-1) ?? 'server.xkm')); // the same name: xkbcomp writes it into the file
    const run = await runTool(XKBCOMP, [...args.slice(0, -1), out], { timeoutMs: COMPILE_DEADLINE_MS, input: text });
    if (run.failed) return [];
    let data: Buffer;
    try {
      data = readFileSync(out);
    } catch {
      return [];
    }
    return [{ path: `${SEEDED_KEYMAP_DIR}/${seededKeymapKey(args, text)}.xkm`, data }];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
