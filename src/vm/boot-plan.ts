// From the host's facts and a VM's shape to the exact command that starts it: QEMU's argv inside its
// jail, what the jail binds, and where each choice came from. Pure: every decision is testable
// without a VM.
import type { AccelChoice } from './accel.js';
import { addressSpaceLimit, buildJailArgv, type Bind } from './jail.js';
import { buildQemuArgv, type VmPlan } from './qemu-argv.js';
import type { HostFacts } from './host-facts.js';
import type { SandboxLayout, VmShape } from './vm-shape.js';
import { planVm } from './vm-plan.js';

export interface BootPlan {
  argv: string[];
  vm: VmPlan;
  /** Each choice and why, for --verbose. */
  choices: string[];
}

export interface BootInput {
  facts: HostFacts;
  accel: AccelChoice;
  shape: VmShape;
  layout: SandboxLayout;
  /** Whether the staging export exists (filled before QEMU starts). */
  withExport: boolean;
  /** The guest may write the export (--edit). */
  exportWritable?: boolean;
  /** RLIMIT_FSIZE for QEMU when it writes the export (export-budget.ts). */
  exportFileLimit?: number;
  /** NOFEAR_TB_SIZE=default leaves QEMU's own translation-cache size (for the memory benchmark). */
  defaultTbSize: boolean;

  trace: boolean;
}

const DEFAULT_TB_SIZE_MIB = 256;

export function planBoot(input: BootInput): BootPlan {
  const { facts, accel, shape, layout } = input;
  const jailed = facts.jail === 'bwrap';
  // Inside bwrap, files from the user's home (kernel, image, disk, shared folder) appear under /nofear:
  // QEMU's view holds no home directory at all.
  const inJail = (host: string, name: string): Bind => ({ source: host, target: jailed ? `/nofear/${name}` : host });
  const kernel = inJail(facts.kernelImage, 'vmlinux');
  const initramfs = inJail(facts.initramfs, 'initramfs.cpio');
  const shared = shape.sharedFolder === undefined ? undefined : inJail(shape.sharedFolder, 'shared');
  const disk = shape.disk === undefined ? undefined : inJail(shape.disk, 'disk.img');
  const tbSizeMiB = input.defaultTbSize ? undefined : (shape.tbSizeMiB ?? DEFAULT_TB_SIZE_MIB);
  const vm = planVm({
    id: layout.id,
    dir: layout.vmDir,
    accel: accel.accel,
    tscKhz: facts.tscKhz,
    memoryMiB: shape.memoryMiB,
    cpus: shape.cpus,
    tbSizeMiB,
    kernel: kernel.target,
    initramfs: initramfs.target,
    systemDirs: facts.systemDirs,
    sharedFolder: shared?.target,
    exportDir: input.withExport ? layout.exportDir : undefined,
    exportWritable: input.exportWritable === true,
    disk: disk?.target,
    net: shape.net,
    stdio: shape.stdio,
    seccomp: facts.seccomp,
    trace: input.trace,
    gui: shape.gui,
    passt: shape.net === 'user',
  });
  const readOnly = [...vm.exports.filter((e) => e.readonly).map((e) => ({ source: e.path, target: e.path })), kernel, initramfs];
  const argv = buildJailArgv(buildQemuArgv(facts.qemu, vm), {
    kind: facts.jail,
    tools: facts.tools,
    readOnly,
    // QEMU writes only its sockets (and reads the export) in vmDir; records stay outside its view.
    readWrite: [
      { source: layout.vmDir, target: layout.vmDir },
      ...(input.withExport && input.exportWritable === true ? [{ source: layout.exportDir, target: layout.exportDir }] : []),
      ...(shared ? [shared] : []),
      ...(disk ? [disk] : []),
    ],
    network: false,
    kvm: accel.accel === 'kvm',
    limits: { addressSpaceBytes: addressSpaceLimit(shape.memoryMiB, tbSizeMiB ?? 1024), openFiles: 1024, ...(input.exportFileLimit === undefined ? {} : { fileSizeBytes: input.exportFileLimit }) },
  });
  const choices = [
    `accelerator: ${accel.accel === 'kvm' ? 'KVM' : 'TCG'} (${accel.reason})`,
    `jail: ${jailed ? 'bubblewrap namespaces' : 'setpriv --pdeathsig (bubblewrap unavailable)'}${facts.seccomp ? ' + seccomp' : ', no seccomp'}`,
    `memory: ${shape.memoryMiB} MiB, ${shape.cpus} CPUs${tbSizeMiB === undefined ? '' : `, TCG cache ${tbSizeMiB} MiB`}`,
  ];
  return { argv, vm, choices };
}
