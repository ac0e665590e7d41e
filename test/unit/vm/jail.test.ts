import assert from 'node:assert/strict';
import { addressSpaceLimit, buildJailArgv, type JailSpec } from '../../../src/vm/jail.js';

const spec: JailSpec = {
  kind: 'bwrap',
  tools: { bwrap: '/usr/bin/bwrap', setpriv: '/usr/bin/setpriv', prlimit: '/usr/bin/prlimit' },
  readOnly: [
    { source: '/usr', target: '/usr' },
    { source: '/opt', target: '/opt' },
    { source: '/home/u/.cache/nofear/vmlinux', target: '/nofear/vmlinux' },
  ],
  readWrite: [{ source: '/run/user/1000/nofear/0123abcd', target: '/run/user/1000/nofear/0123abcd' }],
  network: false,
  kvm: false,
  limits: { addressSpaceBytes: 1000, openFiles: 64 },
};

describe('buildJailArgv', () => {
  it('puts QEMU in fresh namespaces with only its files, dying with its parent', () => {
    const argv = buildJailArgv(['qemu', '-m', '512'], spec);
    assert.equal(argv[0], '/usr/bin/bwrap');
    for (const flag of ['--die-with-parent', '--unshare-all', '--new-session', '--clearenv']) assert.ok(argv.includes(flag), flag);
    assert.equal(argv.includes('--share-net'), false);
    assert.equal(argv.includes('/dev/kvm'), false);
    const pairs = argv.map((arg, i) => `${arg} ${argv[i + 1]} ${argv[i + 2]}`);
    assert.ok(pairs.includes('--ro-bind /opt /opt'));
    assert.ok(pairs.includes('--ro-bind /home/u/.cache/nofear/vmlinux /nofear/vmlinux'));
    assert.ok(pairs.includes('--bind /run/user/1000/nofear/0123abcd /run/user/1000/nofear/0123abcd'));
    const targets = argv.flatMap((arg, i) => (arg === '--ro-bind' || arg === '--bind' ? [argv[i + 2] ?? ''] : []));
    assert.equal(
      targets.some((target) => target === '/etc' || target.startsWith('/home')),
      false,
      `QEMU would see ${targets.join(' ')}`,
    );
    assert.deepEqual(argv.slice(argv.indexOf('--') + 1), ['/usr/bin/prlimit', '--as=1000', '--nofile=64', '--', 'qemu', '-m', '512']);
  });
  it('shares the network namespace only for a NIC, and /dev/kvm only for KVM', () => {
    const argv = buildJailArgv(['qemu'], { ...spec, network: true, kvm: true });
    assert.ok(argv.includes('--share-net'));
    assert.ok(argv.join(' ').includes('--dev-bind /dev/kvm /dev/kvm'));
  });
  it('falls back to setpriv --pdeathsig KILL', () => {
    assert.deepEqual(buildJailArgv(['qemu'], { ...spec, kind: 'setpriv' }), ['/usr/bin/setpriv', '--pdeathsig', 'KILL', '--', '/usr/bin/prlimit', '--as=1000', '--nofile=64', '--', 'qemu']);
  });
  it('limits the address space to guest RAM, the TCG cache and headroom', () => {
    assert.equal(addressSpaceLimit(1024, 256), (1024 + 256 + 3072) * 1024 * 1024);
  });
});
