// The README's Layout section names every folder in src/ and no folder that is gone, so a newcomer's map
// matches the tree.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe("the README's Layout section", () => {
  it('names every folder of src/, and only those', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const layout = /^## Layout\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(readme)?.[1] ?? '';
    assert.ok(layout.length > 0, 'README.md has no "## Layout" section');
    const src = path.join(ROOT, 'src');
    const folders = readdirSync(src).filter((name) => statSync(path.join(src, name)).isDirectory());
    const named = [...layout.matchAll(/`([a-z][a-z-]*)\/`/g)].map((m) => m[1] ?? '');
    const beside = new Set(['src', 'desktop-entries', 'nautilus', 'packaging', 'bench', 'test']);
    assert.deepEqual(
      folders.filter((folder) => !named.includes(folder)),
      [],
      'folders of src/ the Layout leaves out',
    );
    assert.deepEqual(
      named.filter((name) => !folders.includes(name) && !beside.has(name)),
      [],
      'folders the Layout names that src/ does not have',
    );
  });
});
