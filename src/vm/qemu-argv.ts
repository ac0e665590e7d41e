// The QEMU command line for one VM, as a pure function of its plan.
import { qemuOpts } from './qemu-opts.js';

export type Accel = 'kvm' | 'tcg';

export interface Export9p {
  /** The guest's init mounts by tag: nf_sys_<dir>, nf_shared, nf_export. */
  tag: string;
  path: string;
  readonly: boolean;
}

export interface SerialPort {
  /** Guest-visible port name, e.g. org.nofear.control. */
  name: string;
  socket: string;
  /** A virtconsole (a tty in the guest) rather than a plain port. */
  console?: boolean;
}

export interface VmPlan {
  name: string;
  accel: Accel;
  memoryMiB: number;
  cpus: number;
  /** TCG translation cache; undefined keeps QEMU's default. */
  tbSizeMiB?: number;
  kernel: string;
  initramfs: string;
  cmdline: readonly string[];
  ports: readonly SerialPort[];
  exports: readonly Export9p[];
  disk?: string;
  net: 'none' | 'user';
  /** With net 'user': passt's socket (preferred), or QEMU's slirp when undefined. */
  passtSocket?: string;
  seccomp: boolean;
}

export const SECCOMP_POLICY = 'on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny';

export function buildQemuArgv(qemu: string, plan: VmPlan): string[] {
  const accel = plan.accel === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', qemuOpts('tcg', { thread: 'multi', 'tb-size': plan.tbSizeMiB }), '-cpu', 'max'];
  // prettier-ignore
  const argv = [
    qemu,
    '-name', qemuOpts(plan.name, { process: plan.name }),
    '-M', 'microvm,isa-serial=off,rtc=on',
    ...accel,
    '-m', String(plan.memoryMiB),
    '-smp', String(plan.cpus),
    '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
    ...(plan.seccomp ? ['-sandbox', SECCOMP_POLICY] : []),
    '-kernel', plan.kernel,
    '-initrd', plan.initramfs,
    '-append', plan.cmdline.join(' '),
    '-device', 'virtio-serial-device,max_ports=8',
    // The kernel console (hvc0) on QEMU's stdout: read by the host, bounded, never mixed into the job's output.
    '-chardev', 'stdio,id=console,signal=off',
    '-device', 'virtconsole,chardev=console,name=org.nofear.console',
  ];
  plan.ports.forEach((port, index) => {
    const id = `port${index}`;
    argv.push('-chardev', qemuOpts('socket', { id, path: port.socket, server: 'on', wait: 'off' }));
    argv.push('-device', qemuOpts(port.console ? 'virtconsole' : 'virtserialport', { chardev: id, name: port.name }));
  });
  plan.exports.forEach((share, index) => {
    const id = `fs${index}`;
    // prettier-ignore
    argv.push(
      '-fsdev',
      qemuOpts('local', {
        id,
        path: share.path,
        // Read-only system exports need no mapping; the shared folder stores guest ownership,
        // device nodes and setuid bits as xattrs, never as the real thing on the host.
        security_model: share.readonly ? 'none' : 'mapped-xattr',
        readonly: share.readonly ? 'on' : undefined,
        multidevs: 'remap',
      }),
      '-device',
      qemuOpts('virtio-9p-device', { fsdev: id, mount_tag: share.tag }),
    );
  });
  if (plan.disk !== undefined) {
    // prettier-ignore
    argv.push(
      '-drive', qemuOpts('if=none', { id: 'disk0', file: plan.disk, format: 'raw', discard: 'unmap', 'file.locking': 'on' }),
      '-device', 'virtio-blk-device,drive=disk0',
    );
  }
  if (plan.net === 'user') {
    const netdev = plan.passtSocket !== undefined ? qemuOpts('stream,id=net0,server=off,addr.type=unix', { 'addr.path': plan.passtSocket }) : 'user,id=net0';
    argv.push('-netdev', netdev, '-device', 'virtio-net-device,netdev=net0');
  }
  return argv;
}

export interface CmdlineOptions {
  accel: Accel;
  tscKhz?: number;
  upper: 'tmpfs' | 'disk';
  writableSizeMiB: number;
  net?: 'none' | 'user';
  /** Boot phases on the console (benchmarks). */
  trace?: boolean;
}

export function buildKernelCmdline(options: CmdlineOptions): string[] {
  return [
    'console=hvc0',
    'quiet',
    'loglevel=3',
    'panic=-1',
    // The guest's crypto self-tests cost 0.35 s of every boot and test the guest's own kernel only.
    'cryptomgr.notests',
    'random.trust_cpu=on',
    'rdinit=/init',
    // The clocksource watchdog compares the TSC with another clock twice a second on every CPU: under
    // TCG it kept an idle 2-CPU guest at 5 % of a host core. The TSC of QEMU's guests is stable (TCG
    // derives it from the host's clock; KVM hosts have an invariant TSC).
    'tsc=reliable',
    // microvm has no timer to calibrate the TSC against; under TCG about 1 boot in 6 hung without it.
    ...(options.accel === 'tcg' && options.tscKhz !== undefined ? [`tsc_early_khz=${options.tscKhz}`] : []),
    `nofear.upper=${options.upper}`,
    `nofear.rwsize=${options.writableSizeMiB}m`,
    ...(options.net === 'user' ? ['nofear.net=user'] : []),
    ...(options.trace === true ? ['nofear.trace=1'] : []),
  ];
}
