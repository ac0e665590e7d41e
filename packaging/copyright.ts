// debian/copyright (machine-readable format 1.0) for the .deb: NoFear itself, then one paragraph per
// bundled node module with the licence its own LICENSE file states (package.json's field is missing or
// non-standard in several), and the licence texts the paragraphs name.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ProductionModule } from './production-modules.js';

const MIT_TEXT = `Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction, including
without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the
following conditions:
.
The above copyright notice and this permission notice shall be included in all copies or substantial
portions of the Software.
.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT
LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO
EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE
USE OR OTHER DEALINGS IN THE SOFTWARE.`;

const ISC_TEXT = `Permission to use, copy, modify, and/or distribute this software for any purpose with or without fee
is hereby granted, provided that the above copyright notice and this permission notice appear in all
copies.
.
THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES WITH REGARD TO THIS SOFTWARE
INCLUDING ALL IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES WHATSOEVER RESULTING FROM LOSS OF
USE, DATA OR PROFITS, WHETHER IN AN ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.`;

const TEXTS: Record<string, string> = {
  MIT: MIT_TEXT,
  ISC: ISC_TEXT,
  'Apache-2.0': 'On Debian systems, the complete text of the Apache License 2.0 is in\n/usr/share/common-licenses/Apache-2.0.',
};

/** The licence a module's own licence file states; its copyright lines, when the file has them. */
export function moduleLicence(dir: string): { licence: string; copyright: string } {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /^licen[cs]e/i.test(f)).sort() : [];
  const texts = files.map((f) => readFileSync(path.join(dir, f), 'utf8'));
  const kinds = new Set<string>();
  for (const text of texts) {
    if (/Apache License/i.test(text)) kinds.add('Apache-2.0');
    else if (/Permission is hereby granted, free of charge/i.test(text)) kinds.add('MIT');
    else if (/Permission to use, copy, modify, and\/or distribute/i.test(text)) kinds.add('ISC');
    else if (/Blue Oak Model License/i.test(text)) kinds.add('BlueOak-1.0.0');
  }
  const lines = texts.flatMap((t) => t.split('\n')).map((l) => l.trim()).filter((l) => /^copyright\s+(\(c\)|©|\d{4})/i.test(l));
  return {
    licence: kinds.size === 0 ? 'other' : [...kinds].sort().join(' or '),
    copyright: [...new Set(lines)].map((l) => l.replace(/^copyright\s+/i, '')).join('\n ') || 'its authors, see the licence file',
  };
}

export function renderCopyright(modules: readonly ProductionModule[], checkout: string, prefix = 'usr/lib/nofear'): string {
  const paragraphs = [
    'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: nofear\nComment: NoFear and the node modules it runs with, under /usr/lib/nofear.',
    'Files: *\nCopyright: NoFear developers\nLicense: MIT',
  ];
  const used = new Set<string>(['MIT']);
  for (const module of modules) {
    const { licence, copyright } = moduleLicence(path.join(checkout, module.dir));
    for (const name of licence.split(' or ')) used.add(name);
    const other = licence === 'other' || licence.includes('BlueOak') ? `\n Its licence file is in /${prefix}/${module.dir}.` : '';
    paragraphs.push(`Files: ${prefix}/${module.dir}/*\nCopyright: ${copyright}\nLicense: ${licence}${other}`);
  }
  for (const name of [...used].sort()) {
    const text = TEXTS[name] ?? `The complete text is in the licence file of each module that names ${name}, under /${prefix}/node_modules.`;
    paragraphs.push(`License: ${name}\n${text.split('\n').map((l) => ` ${l}`).join('\n')}`);
  }
  return `${paragraphs.join('\n\n')}\n`;
}
