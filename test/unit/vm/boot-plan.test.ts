// planBoot: from the host's facts and a VM's shape to the jailed QEMU command. Each decision it makes (the
// jail's view of the kernel and folders, the TCG cache, what QEMU may write, its limits, the --verbose
// choices) read back from the argv it returns.
import assert from 'node:assert/strict';
import { planBoot, type BootInput } from '../../../src/vm/boot-plan.js';
import type { HostFacts } from '../../../src/vm/host-facts.js';
import { addressSpaceLimit } from '../../../src/vm/jail.js';

const MIB = 1024 * 1024;

function facts(over: Partial<HostFacts> = {}): HostFacts {
  return {
    kernelImage: '/home/u/.cache/nofear/kernel/vmlinuz',
    initramfs: '/home/u/.cache/nofear/guest/initramfs.cpio',
    qemu: '/usr/bin/qemu-system-x86_64',
    seccomp: true,
    jail: 'bwrap',
    tools: { bwrap: '/usr/bin/bwrap', setpriv: '/usr/bin/setpriv', prlimit: '/usr/bin/prlimit' },
    passt: '/usr/bin/passt',
    pasta: '/usr/bin/pasta',
    accel: { accel: 'tcg', from: 'probe', reason: '/dev/kvm is missing' },
    tscKhz: 2_000_000,
    systemDirs: ['/usr', '/opt'],
    ...over,
  };
}

function input(over: Partial<BootInput> = {}, shape: Partial<BootInput['shape']> = {}): BootInput {
  const f = over.facts ?? facts();
  return {
    facts: f,
    accel: f.accel,
    shape: { profile: 'default', memoryMiB: 1024, cpus: 2, net: 'none', stdio: 'pipe', gui: false, sound: false, ...shape },
    layout: { id: '0123abcd', dir: '/run/user/1000/nofear/0123abcd', vmDir: '/run/user/1000/nofear/0123abcd/vm', exportDir: '/run/user/1000/nofear/0123abcd/vm/export' },
    withExport: false,
    defaultTbSize: false,
    trace: false,
    ...over,
  };
}

/** The source and target of every `--bind` (read-write) in a bwrap argv. */
function writableBinds(argv: readonly string[]): string[] {
  return argv.flatMap((arg, i) => (arg === '--bind' ? [`${argv[i + 1]} -> ${argv[i + 2]}`] : []));
}

/** The value that follows a QEMU option (the first occurrence). */
function optionValue(argv: readonly string[], option: string): string | undefined {
  const at = argv.indexOf(option);
  return at < 0 ? undefined : argv[at + 1];
}

describe('planBoot (host facts and VM shape to the jailed QEMU command)', () => {
  it('in bwrap, shows QEMU the kernel and initramfs under /nofear, never at their home paths', () => {
    const plan = planBoot(input());
    assert.equal(plan.argv[0], '/usr/bin/bwrap');
    assert.equal(optionValue(plan.argv, '-kernel'), '/nofear/vmlinux');
    assert.equal(optionValue(plan.argv, '-initrd'), '/nofear/initramfs.cpio');
    assert.equal(plan.vm.kernel, '/nofear/vmlinux');
    const roBinds = plan.argv.flatMap((arg, i) => (arg === '--ro-bind' ? [`${plan.argv[i + 1]} -> ${plan.argv[i + 2]}`] : []));
    assert.ok(roBinds.includes('/home/u/.cache/nofear/kernel/vmlinuz -> /nofear/vmlinux'), roBinds.join('\n'));
    assert.ok(roBinds.includes('/home/u/.cache/nofear/guest/initramfs.cpio -> /nofear/initramfs.cpio'));
  });

  it('under setpriv (no bwrap), uses the host paths as they are and says bubblewrap is unavailable', () => {
    const plan = planBoot(input({ facts: facts({ jail: 'setpriv', seccomp: false }) }));
    assert.deepEqual(plan.argv.slice(0, 4), ['/usr/bin/setpriv', '--pdeathsig', 'KILL', '--']);
    assert.equal(optionValue(plan.argv, '-kernel'), '/home/u/.cache/nofear/kernel/vmlinuz');
    assert.ok(!plan.argv.includes('-sandbox'));
    assert.match(plan.choices[1] ?? '', /^jail: setpriv --pdeathsig \(bubblewrap unavailable\), no seccomp$/);
  });

  it('lets QEMU write only its vm dir when there is no export, shared folder or disk', () => {
    assert.deepEqual(writableBinds(planBoot(input()).argv), ['/run/user/1000/nofear/0123abcd/vm -> /run/user/1000/nofear/0123abcd/vm']);
  });

  it('binds a read-only export read-only, and a writable one (--edit) read-write with a file-size cap', () => {
    const layout = input().layout;
    const readOnly = planBoot(input({ withExport: true }));
    assert.ok(!writableBinds(readOnly.argv).some((bind) => bind.startsWith(layout.exportDir)));
    assert.deepEqual(
      readOnly.vm.exports.filter((e) => e.path === layout.exportDir).map((e) => [e.tag, e.readonly]),
      [['nf_export', true]],
    );
    assert.ok(!readOnly.argv.some((arg) => arg.startsWith('--fsize=')));

    const writable = planBoot(input({ withExport: true, exportWritable: true, exportFileLimit: 64 * MIB }));
    assert.ok(writableBinds(writable.argv).includes(`${layout.exportDir} -> ${layout.exportDir}`));
    assert.ok(writable.argv.includes(`--fsize=${64 * MIB}`));
    assert.deepEqual(
      writable.vm.exports.filter((e) => e.path === layout.exportDir).map((e) => [e.tag, e.readonly]),
      [['nf_edit', false]],
    );
  });

  it('writes no export when withExport is false, even when exportWritable is set', () => {
    const plan = planBoot(input({ withExport: false, exportWritable: true }));
    assert.ok(!plan.vm.exports.some((e) => e.path === input().layout.exportDir));
    assert.equal(writableBinds(plan.argv).length, 1);
  });

  it('maps a shared folder and a profile disk into the jail, writable', () => {
    const plan = planBoot(input({}, { sharedFolder: '/home/u/Shared', disk: '/home/u/.local/share/nofear/profiles/work/disk.img' }));
    const binds = writableBinds(plan.argv);
    assert.ok(binds.includes('/home/u/Shared -> /nofear/shared'), binds.join('\n'));
    assert.ok(binds.includes('/home/u/.local/share/nofear/profiles/work/disk.img -> /nofear/disk.img'));
    assert.ok(plan.vm.exports.some((e) => e.tag === 'nf_shared' && e.path === '/nofear/shared' && !e.readonly));
    assert.equal(plan.vm.disk, '/nofear/disk.img');
  });

  it("gives TCG a 256 MiB cache by default, the shape's when set, and QEMU's own for NOFEAR_TB_SIZE=default", () => {
    assert.equal(planBoot(input()).vm.tbSizeMiB, 256);
    assert.match(optionValue(planBoot(input()).argv, '-accel') ?? '', /tb-size=256/);
    assert.equal(planBoot(input({}, { tbSizeMiB: 64 })).vm.tbSizeMiB, 64);
    const qemuDefault = planBoot(input({ defaultTbSize: true }, { tbSizeMiB: 64 }));
    assert.equal(qemuDefault.vm.tbSizeMiB, undefined);
    assert.doesNotMatch(optionValue(qemuDefault.argv, '-accel') ?? '', /tb-size/);
    assert.equal(qemuDefault.choices[2], 'memory: 1024 MiB, 2 CPUs');
  });

  it("caps QEMU's address space by guest memory and TCG cache (1 GiB counted when QEMU picks the cache)", () => {
    assert.ok(planBoot(input({}, { memoryMiB: 2048 })).argv.includes(`--as=${addressSpaceLimit(2048, 256)}`));
    assert.ok(planBoot(input({ defaultTbSize: true }, { memoryMiB: 2048 })).argv.includes(`--as=${addressSpaceLimit(2048, 1024)}`));
  });

  it('hands /dev/kvm to the jail only for KVM, and names the accelerator with its reason', () => {
    const tcg = planBoot(input());
    assert.ok(!tcg.argv.includes('/dev/kvm'));
    assert.equal(tcg.choices[0], 'accelerator: TCG (/dev/kvm is missing)');
    const kvmFacts = facts({ accel: { accel: 'kvm', from: 'probe', reason: '/dev/kvm works' } });
    const kvm = planBoot(input({ facts: kvmFacts, accel: kvmFacts.accel }));
    assert.ok(kvm.argv.join(' ').includes('--dev-bind /dev/kvm /dev/kvm'));
    assert.equal(optionValue(kvm.argv, '-accel'), 'kvm');
    assert.equal(kvm.choices[0], 'accelerator: KVM (/dev/kvm works)');
    assert.equal(kvm.choices[2], 'memory: 1024 MiB, 2 CPUs, TCG cache 256 MiB');
  });

  it('never shares the host network with the jail, even for --net user (passt carries it)', () => {
    const plan = planBoot(input({}, { net: 'user' }));
    assert.ok(!plan.argv.includes('--share-net'));
    assert.ok(plan.argv.includes('--unshare-all'));
    assert.equal(plan.vm.net, 'user');
    assert.ok(plan.vm.passtSocket !== undefined);
  });

  it('turns seccomp on when QEMU supports it, and says so', () => {
    const plan = planBoot(input());
    assert.ok(plan.argv.includes('-sandbox'));
    assert.equal(plan.choices[1], 'jail: bubblewrap namespaces + seccomp');
  });
});
