import assert from 'node:assert/strict';
import { buildKernelCmdline, buildQemuArgv, SECCOMP_POLICY, type VmPlan } from '../../../src/vm/qemu-argv.js';
import { escapeQemuValue, qemuOpts } from '../../../src/vm/qemu-opts.js';
import { LAN_FENCE_SCRIPT, lanFencedArgv, passtArgv } from '../../../src/vm/passt.js';

const plan: VmPlan = {
  name: 'nofear-0123abcd',
  accel: 'tcg',
  memoryMiB: 1024,
  cpus: 2,
  tbSizeMiB: 256,
  kernel: '/cache/vmlinux',
  initramfs: '/cache/initramfs.cpio',
  cmdline: ['console=hvc0', 'quiet'],
  ports: [{ name: 'org.nofear.control', socket: '/run/x/control.sock' }],
  exports: [
    { tag: 'nf_sys_usr', path: '/usr', readonly: true },
    { tag: 'nf_shared', path: '/home/u/a,b', readonly: false },
  ],
  net: 'none',
  seccomp: true,
};

describe('buildQemuArgv', () => {
  it('builds a microvm with TCG, seccomp, ports and read-only exports', () => {
    // prettier-ignore
    assert.deepEqual(buildQemuArgv('/usr/bin/qemu-system-x86_64', plan), [
      '/usr/bin/qemu-system-x86_64',
      '-name', 'nofear-0123abcd,process=nofear-0123abcd',
      '-M', 'microvm,isa-serial=off,rtc=on',
      '-accel', 'tcg,thread=multi,tb-size=256', '-cpu', 'max',
      '-m', '1024', '-smp', '2',
      '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
      '-sandbox', SECCOMP_POLICY,
      '-kernel', '/cache/vmlinux', '-initrd', '/cache/initramfs.cpio',
      '-append', 'console=hvc0 quiet',
      '-device', 'virtio-serial-device,max_ports=8',
      '-chardev', 'stdio,id=console,signal=off',
      '-device', 'virtconsole,chardev=console,name=org.nofear.console',
      '-chardev', 'socket,id=port0,path=/run/x/control.sock,server=on,wait=off',
      '-device', 'virtserialport,chardev=port0,name=org.nofear.control',
      '-fsdev', 'local,id=fs0,path=/usr,security_model=none,readonly=on,multidevs=remap',
      '-device', 'virtio-9p-device,fsdev=fs0,mount_tag=nf_sys_usr',
      '-fsdev', 'local,id=fs1,path=/home/u/a,,b,security_model=mapped-xattr,multidevs=remap',
      '-device', 'virtio-9p-device,fsdev=fs1,mount_tag=nf_shared',
    ]);
  });

  it('uses KVM with the host CPU, adds a NIC only with --net user, and a disk for profiles', () => {
    const argv = buildQemuArgv('qemu', { ...plan, accel: 'kvm', net: 'user', disk: '/p/disk.img', ports: [], exports: [] });
    assert.deepEqual(argv.slice(argv.indexOf('-accel'), argv.indexOf('-accel') + 4), ['-accel', 'kvm', '-cpu', 'host']);
    assert.ok(argv.includes('virtio-net-device,netdev=net0'));
    assert.ok(argv.includes('if=none,id=disk0,file=/p/disk.img,format=raw,discard=unmap,file.locking=on'));
    const noNet = buildQemuArgv('qemu', plan);
    assert.equal(
      noNet.some((arg) => arg.includes('netdev')),
      false,
    );
  });

  it('drops seccomp only when asked', () => {
    assert.equal(buildQemuArgv('qemu', { ...plan, seccomp: false }).includes('-sandbox'), false);
  });
});

describe('qemuOpts', () => {
  it('doubles commas so a value cannot add options', () => {
    assert.equal(escapeQemuValue('/a,readonly=off'), '/a,,readonly=off');
    assert.equal(qemuOpts('socket', { id: 'x', path: '/p,q', skip: undefined }), 'socket,id=x,path=/p,,q');
  });
});

describe('buildKernelCmdline', () => {
  it('passes the TSC frequency under TCG only', () => {
    assert.ok(buildKernelCmdline({ accel: 'tcg', tscKhz: 2300000, upper: 'tmpfs', writableSizeMiB: 256 }).includes('tsc_early_khz=2300000'));
    assert.equal(
      buildKernelCmdline({ accel: 'kvm', tscKhz: 2300000, upper: 'disk', writableSizeMiB: 256 }).some((w) => w.startsWith('tsc_early')),
      false,
    );
  });
});

describe('passt fenced off the LAN ([links] lan = no)', () => {
  it('runs passt as root of pasta namespace, after a script that blackholes the private ranges and this host', () => {
    const own = passtArgv('/usr/bin/passt', '/run/x/passt.sock');
    const { argv, env } = lanFencedArgv('/usr/bin/pasta', own, ['192.0.2.2', 'fd00::2', 'fe80::1']);
    // prettier-ignore
    assert.deepEqual(argv.slice(0, 15), [
      '/usr/bin/pasta', '--config-net', '--no-map-gw', '--quiet', '--foreground',
      '-t', 'none', '-u', 'none', '-T', 'none', '-U', 'none',
      '--', '/bin/sh',
    ]);
    assert.equal(argv[15], '-c');
    assert.equal(argv[16], LAN_FENCE_SCRIPT);
    const passt = argv.slice(17);
    assert.equal(passt[0], '/usr/bin/passt');
    assert.equal(passt[passt.indexOf('--runas') + 1], '0:0', "no uid but the caller's exists in pasta's user namespace");
    assert.deepEqual(
      passt.filter((a) => a !== '0:0'),
      own.filter((_, i) => own[i - 1] !== '--runas'),
    );
    assert.ok(env.NOFEAR_FENCE4?.split(' ').includes('192.0.2.2/32'));
    assert.ok(env.NOFEAR_FENCE4?.split(' ').includes('192.168.0.0/16'));
    assert.ok(env.NOFEAR_FENCE6?.split(' ').includes('fd00::2/128'));
    assert.ok(!env.NOFEAR_FENCE6?.includes('fe80'), 'the link-local prefix stays: the default route may need it');
    assert.match(LAN_FENCE_SCRIPT, /exec "\$0" "\$@"$/);
  });
});
