// What the service's request handlers share (src/service/daemon/request-parts.ts): a URI's target with non-UTF-8
// names refused clearly, a sandbox started through the manager with the configured memory and logged, and
// the reply at once or once the sandboxes have ended. A recording stand-in manager (the real one is
// test/unit/sandbox/manager.test.ts's).
import assert from 'node:assert/strict';
import { defaultConfig } from '../../../src/config/index.js';
import { isNoFearError } from '../../../src/errors.js';
import type { ManagedSandbox } from '../../../src/sandbox/manager.js';
import { replyWith, startSandbox, targetOf, type RequestContext, type ServiceSpec } from '../../../src/service/daemon/request-parts.js';

describe('service/request-parts', () => {
  it('targetOf: a file:// URI is its path, a web address a URL, a name that is not UTF-8 refused with a fix', () => {
    assert.deepEqual(targetOf('file:///home/u/r%20port.pdf'), { kind: 'file', path: '/home/u/r port.pdf' });
    assert.equal(targetOf('https://example.org/x').kind, 'url');
    assert.throws(
      () => targetOf('file:///home/u/%FF.pdf'),
      (e: unknown) => isNoFearError(e) && e.code === 'InvalidArgument' && /not valid UTF-8/.test(e.message) && /--no-service/.test(e.fix ?? ''),
    );
    // Other refusals keep their own words.
    assert.throws(
      () => targetOf('ftp://example.org/x'),
      (e: unknown) => isNoFearError(e) && /not ftp:\/\/ URIs/.test(e.message),
    );
  });

  const context = (logged: string[], starts: { spec: ServiceSpec; memory: number }[], made: ManagedSandbox) => {
    const config = defaultConfig();
    config.vm.memoryMiB = 777;
    return {
      config: () => config,
      log: (line: string) => logged.push(line),
      objectPath: (s: ManagedSandbox) => `/org/nofear/NoFear1/sandbox/${s.id}`,
      manager: {
        start: async (spec: ServiceSpec, memory: number) => {
          starts.push({ spec, memory });
          return made;
        },
      },
    } as unknown as RequestContext; // startSandbox and replyWith read only these
  };

  it('startSandbox starts through the manager with [vm] memory and logs the files, or the command when there are none', async () => {
    const logged: string[] = [];
    const starts: { spec: ServiceSpec; memory: number }[] = [];
    const spec = { kind: 'run', argv: ['xterm'] } as unknown as ServiceSpec; // passed through untouched
    const withFiles = { id: 's1', files: ['/a.pdf', '/b.pdf'], command: ['evince'] } as unknown as ManagedSandbox;
    assert.equal(await startSandbox(context(logged, starts, withFiles), spec), withFiles);
    const bare = { id: 's2', files: [], command: ['xterm', '-e', 'sh'] } as unknown as ManagedSandbox;
    await startSandbox(context(logged, starts, bare), spec);
    assert.deepEqual(starts, [
      { spec, memory: 777 },
      { spec, memory: 777 },
    ]);
    assert.deepEqual(logged, ['sandbox s1 starting: /a.pdf /b.pdf', 'sandbox s2 starting: xterm -e sh']);
  });

  it('replyWith answers the object paths at once, or only after every sandbox has ended when asked to wait', async () => {
    let end: () => void = () => {};
    const ended = new Promise<void>((resolve) => (end = resolve));
    const sandboxes = [
      { id: 's1', ended },
      { id: 's2', ended: Promise.resolve() },
    ] as unknown as ManagedSandbox[];
    const ctx = context([], [], sandboxes[0] as ManagedSandbox);
    assert.deepEqual(await replyWith(ctx, sandboxes, {}), ['/org/nofear/NoFear1/sandbox/s1', '/org/nofear/NoFear1/sandbox/s2']);
    let replied = false;
    const waiting = replyWith(ctx, sandboxes, { wait: true }).then((paths) => {
      replied = true;
      return paths;
    });
    await new Promise(setImmediate); // every settled promise has run its callbacks by now
    assert.equal(replied, false);
    end();
    assert.deepEqual(await waiting, ['/org/nofear/NoFear1/sandbox/s1', '/org/nofear/NoFear1/sandbox/s2']);
  });
});
