// The house's rules, read from the sources' own imports: each folder imports only from the floors below
// it (never sideways, never up), only src/service/bus speaks dbus-next (the daemon in src/service/daemon
// builds on it, never the other way), and no module imports itself back.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Lower floors first: a module may import from its own folder and from any folder on a lower floor. */
const FLOORS: Record<string, number> = {
  'errors.ts': 0,
  util: 1,
  config: 2,
  vm: 3,
  desktop: 3,
  profiles: 3,
  trust: 3,
  gui: 4,
  integrate: 4,
  open: 5,
  demo: 5,
  sandbox: 6,
  convert: 7,
  edit: 7,
  service: 8,
  cli: 9,
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

const room = (file: string) => path.relative(SRC, file).split(path.sep)[0] ?? '';
const imports = (file: string) => [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)[^'"]*from '([^']+)'/gm)].map((m) => m[1] ?? '');
/** The static imports and the lazy ones (`await import('./x.js')`, loaded only on the path that needs them): both obey the floors. */
const allImports = (file: string) => [...imports(file), ...[...readFileSync(file, 'utf8').matchAll(/\bimport\('([^']+)'\)/g)].map((m) => m[1] ?? '')];
const resolve = (file: string, spec: string) => path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts');

describe('the house (src/ imports)', () => {
  const files = sources(SRC);

  it('gives every folder a floor', () => {
    assert.deepEqual(
      [...new Set(files.map(room))].filter((r) => FLOORS[r] === undefined),
      [],
    );
  });

  it('imports only downwards: no folder imports its own floor or a higher one', () => {
    const wrong: string[] = [];
    for (const file of files) {
      for (const spec of allImports(file).filter((s) => s.startsWith('.'))) {
        const from = room(file);
        const to = room(resolve(file, spec));
        if (from === to) continue;
        if ((FLOORS[to] ?? 99) >= (FLOORS[from] ?? -1)) wrong.push(`${path.relative(SRC, file)} -> ${spec} (${from} ${FLOORS[from]} to ${to} ${FLOORS[to]})`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('keeps src/sandbox/ to the lifecycle: at most 15 files, counted in every subfolder', () => {
    const sandbox = sources(path.join(SRC, 'sandbox')).map((file) => path.relative(SRC, file));
    assert.ok(sandbox.length <= 15, `src/sandbox/ holds ${sandbox.length} files (at most 15): move what is not the lifecycle out\n  ${sandbox.join('\n  ')}`);
  });

  it("enters vm/ from the sandbox's lifecycle through one door, start-vm.ts: startVm (probe, plan, argv, spawn, handshake), called once, and vm/'s types", () => {
    const door = path.join('vm', 'start-vm.ts');
    // Neither boots nor talks to a VM: the file of usual timings, the job's environment.
    const beside = [path.join('vm', 'timings.ts'), path.join('vm', 'guest-env.ts')];
    const wrong: string[] = [];
    let startCalls = 0;
    for (const file of sources(path.join(SRC, 'sandbox'))) {
      const text = readFileSync(file, 'utf8');
      startCalls += [...text.matchAll(/\bstartVm\(/g)].length;
      // Types too: they come through the door, so the rest of vm/ can be rearranged behind it.
      for (const [, spec = ''] of text.matchAll(/^(?:import|export)[^'"]*from '([^']+)'/gm)) {
        const target = resolve(file, spec);
        if (room(target) !== 'vm' || [door, ...beside].includes(path.relative(SRC, target))) continue;
        wrong.push(`${path.relative(SRC, file)} -> ${spec}`);
      }
    }
    assert.deepEqual(wrong, []);
    assert.equal(startCalls, 1, 'src/sandbox/ boots a VM in one place');
  });

  it('speaks dbus-next only in src/service/bus', () => {
    const speakers = files.filter((file) => imports(file).includes('dbus-next')).map((file) => path.relative(SRC, file));
    assert.ok(speakers.length > 0);
    assert.deepEqual(
      speakers.filter((file) => !file.startsWith(path.join('service', 'bus') + path.sep)),
      [],
    );
  });

  it('splits src/service into the bus side and the daemon: bus/ never imports daemon/, and nothing sits beside them', () => {
    const service = path.join(SRC, 'service');
    assert.deepEqual(readdirSync(service).sort(), ['bus', 'daemon']);
    const upward = sources(path.join(service, 'bus')).flatMap((file) =>
      imports(file)
        .filter((spec) => spec.startsWith('.') && resolve(file, spec).startsWith(path.join(service, 'daemon') + path.sep))
        .map((spec) => `${path.relative(SRC, file)} -> ${spec}`),
    );
    assert.deepEqual(upward, []);
  });

  it("starts `nofear` without the GUI's, the desktop's, opening's, trust's, conversion's or the service's modules: they load lazily, on --gui or their own commands", () => {
    // Every module a start imports costs it: 127 modules before, about 0.1 s of CPU of every `nofear -t true`.
    const loaded = new Set<string>();
    // What runs: `import type` is erased by the compiler.
    const runtimeImports = (file: string) => [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)(?! type )[^'"]*from '([^']+)'/gm)].map((m) => m[1] ?? '');
    const visit = (file: string) => {
      if (loaded.has(file)) return;
      loaded.add(file);
      for (const spec of runtimeImports(file).filter((s) => s.startsWith('.'))) visit(resolve(file, spec));
    };
    visit(path.join(SRC, 'cli', 'nofear.ts'));
    const lazyRooms = new Set(['gui', 'desktop', 'open', 'trust', 'integrate', 'convert', 'edit', 'service', 'demo']);
    assert.deepEqual(
      [...loaded].filter((file) => lazyRooms.has(room(file))).map((file) => path.relative(SRC, file)),
      [],
    );
  });

  it('has no import cycle between modules', () => {
    const graph = new Map(
      files.map((file) => [
        file,
        imports(file)
          .filter((s) => s.startsWith('.'))
          .map((s) => resolve(file, s)),
      ]),
    );
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') return void cycles.push([...trail.slice(trail.indexOf(file)), file].map((f) => path.relative(SRC, f)).join(' -> '));
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    assert.deepEqual(cycles, []);
  });
});

describe('the checkout', () => {
  // Walked, not asked of git: the suites run as another user, whom git refuses a checkout it does not own.
  const SKIP = new Set(['node_modules', 'dist', '.git', '.cache']);
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      if (SKIP.has(entry.name)) return [];
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? walk(full) : entry.isFile() ? [full] : [];
    });

  it('holds no merge conflict markers', () => {
    const marked = walk(ROOT).filter((file) => statSync(file).size < 1 << 20 && /^(<{7} |>{7} |={7}$)/m.test(readFileSync(file, 'utf8')));
    assert.deepEqual(
      marked.map((file) => path.relative(ROOT, file)),
      [],
    );
  });
});
