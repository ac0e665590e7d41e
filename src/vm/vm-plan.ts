// Turns a sandbox request into the VM's plan: exports, ports, kernel command line. Pure.
import path from 'node:path';
import type { Accel, Export9p, SerialPort, VmPlan } from './qemu-argv.js';
import { buildKernelCmdline } from './qemu-argv.js';

import type { StdioMode } from './vm-shape.js';

export interface PlanInput {
  id: string;
  dir: string;
  accel: Accel;
  tscKhz: number | undefined;
  memoryMiB: number;
  cpus: number;
  tbSizeMiB: number | undefined;
  kernel: string;
  initramfs: string;
  /** System directories to export (existing real directories only). */
  systemDirs: readonly string[];
  sharedFolder: string | undefined;
  exportDir: string | undefined;
  /** The export is an --edit copy the guest writes (nf_edit, mapped-xattr), not the read-only nf_export. */
  exportWritable?: boolean;
  disk: string | undefined;
  net: 'none' | 'user';
  stdio: StdioMode;
  seccomp: boolean;
  trace?: boolean;
  gui?: boolean;
  /** --net user through passt (its socket is in the runtime dir). */
  passt?: boolean;
}

export function socketPaths(dir: string) {
  return {
    control: path.join(dir, 'control.sock'),
    stdin: path.join(dir, 'stdin.sock'),
    stdout: path.join(dir, 'stdout.sock'),
    stderr: path.join(dir, 'stderr.sock'),
    tty: path.join(dir, 'tty.sock'),
    gui: path.join(dir, 'gui.sock'),
    passt: path.join(dir, 'passt.sock'),
  };
}

export function planVm(input: PlanInput): VmPlan {
  const sockets = socketPaths(input.dir);
  const ports: SerialPort[] = [{ name: 'org.nofear.control', socket: sockets.control }];
  if (input.stdio === 'pipe') {
    ports.push({ name: 'org.nofear.stdin', socket: sockets.stdin }, { name: 'org.nofear.stdout', socket: sockets.stdout }, { name: 'org.nofear.stderr', socket: sockets.stderr });
  } else if (input.stdio === 'tty') {
    ports.push({ name: 'org.nofear.tty', socket: sockets.tty, console: true });
  }
  // The GUI port: QEMU listens, the host's Xpra client connects, the guest's bridge relays to its server.
  if (input.gui === true) ports.push({ name: 'org.nofear.gui', socket: sockets.gui });
  const exports: Export9p[] = input.systemDirs.map((dir) => ({
    tag: `nf_sys_${path.basename(dir)}`,
    path: dir,
    readonly: true,
  }));
  if (input.sharedFolder !== undefined) exports.push({ tag: 'nf_shared', path: input.sharedFolder, readonly: false });
  if (input.exportDir !== undefined) {
    const writable = input.exportWritable === true;
    exports.push({ tag: writable ? 'nf_edit' : 'nf_export', path: input.exportDir, readonly: !writable });
  }
  // The writable layer of a throwaway VM lives in guest RAM: a quarter of it, at least 128 MiB.
  const writableSizeMiB = Math.max(128, Math.floor(input.memoryMiB / 4));
  return {
    name: `nofear-${input.id}`,
    accel: input.accel,
    memoryMiB: input.memoryMiB,
    cpus: input.cpus,
    ...(input.accel === 'tcg' && input.tbSizeMiB !== undefined ? { tbSizeMiB: input.tbSizeMiB } : {}),
    kernel: input.kernel,
    initramfs: input.initramfs,
    cmdline: buildKernelCmdline({
      accel: input.accel,
      ...(input.tscKhz === undefined ? {} : { tscKhz: input.tscKhz }),
      upper: input.disk === undefined ? 'tmpfs' : 'disk',
      writableSizeMiB,
      net: input.net,
      trace: input.trace === true,
    }),
    ports,
    exports,
    ...(input.disk === undefined ? {} : { disk: input.disk }),
    net: input.net,
    ...(input.net === 'user' && input.passt === true ? { passtSocket: sockets.passt } : {}),
    seccomp: input.seccomp,
  };
}
