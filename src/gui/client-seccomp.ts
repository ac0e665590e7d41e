// The Xpra client's system-call filter, as the compiled classic-BPF program bubblewrap's --seccomp
// takes: kernel-facing calls a GUI client never makes (module loading, mounts, namespaces, ptrace,
// keyrings, bpf, perf, io_uring...) fail with EPERM. A deny-list, because GTK and Python make too
// many different calls for an allow-list to stay right. Pure; x86-64 only (elsewhere: no filter).

/** Linux x86-64 system-call numbers, from <asm/unistd_64.h>. */
const DENIED_SYSCALLS: Readonly<Record<string, number>> = {
  uselib: 134,
  ptrace: 101,
  syslog: 103,
  vhangup: 153,
  pivot_root: 155,
  _sysctl: 156,
  adjtimex: 159,
  chroot: 161,
  acct: 163,
  settimeofday: 164,
  mount: 165,
  umount2: 166,
  swapon: 167,
  swapoff: 168,
  reboot: 169,
  sethostname: 170,
  setdomainname: 171,
  iopl: 172,
  ioperm: 173,
  init_module: 175,
  delete_module: 176,
  quotactl: 179,
  nfsservctl: 180,
  lookup_dcookie: 212,
  clock_settime: 227,
  kexec_load: 246,
  add_key: 248,
  request_key: 249,
  keyctl: 250,
  unshare: 272,
  perf_event_open: 298,
  name_to_handle_at: 303,
  open_by_handle_at: 304,
  clock_adjtime: 305,
  setns: 308,
  process_vm_readv: 310,
  process_vm_writev: 311,
  kcmp: 312,
  finit_module: 313,
  kexec_file_load: 320,
  bpf: 321,
  userfaultfd: 323,
  io_uring_setup: 425,
  io_uring_enter: 426,
  io_uring_register: 427,
  open_tree: 428,
  move_mount: 429,
  fsopen: 430,
  fsconfig: 431,
  fsmount: 432,
  fspick: 433,
  pidfd_getfd: 438,
  mount_setattr: 442,
  quotactl_fd: 443,
};

const SYS_CLONE = 56;
const SYS_CLONE3 = 435;
/** New namespaces through clone(): CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET. */
const CLONE_NAMESPACE_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;
const X32_SYSCALL_BIT = 0x40000000;
const AUDIT_ARCH_X86_64 = 0xc000003e;

const SECCOMP_RET_ERRNO = 0x00050000;
const SECCOMP_RET_ALLOW = 0x7fff0000;
const EPERM = 1;
const ENOSYS = 38; // clone3's arguments are in memory a filter cannot read: glibc then falls back to clone

// struct seccomp_data: nr (u32) at 0, arch (u32) at 4, instruction pointer at 8, args[6] (u64) from 16.
const OFFSET_NR = 0;
const OFFSET_ARCH = 4;
const OFFSET_ARG0_LOW = 16; // little-endian: the low 32 bits of args[0] (clone's flags)

const BPF_LD_W_ABS = 0x20;
const BPF_JEQ_K = 0x15;
const BPF_JGE_K = 0x35;
const BPF_JSET_K = 0x45;
const BPF_RET_K = 0x06;

type Label = 'deny' | 'enosys' | 'allow';
type Instruction = { label?: Label } & ({ op: 'load'; offset: number } | { op: 'jump'; code: number; k: number; ifTrue: Label | 'next'; ifFalse: Label | 'next' } | { op: 'return'; k: number });

function program(): Instruction[] {
  const numbers = Object.values(DENIED_SYSCALLS);
  return [
    // Another architecture's numbers mean other calls (i386 through int 0x80): refuse them all.
    { op: 'load', offset: OFFSET_ARCH },
    { op: 'jump', code: BPF_JEQ_K, k: AUDIT_ARCH_X86_64, ifTrue: 'next', ifFalse: 'deny' },
    { op: 'load', offset: OFFSET_NR },
    { op: 'jump', code: BPF_JGE_K, k: X32_SYSCALL_BIT, ifTrue: 'deny', ifFalse: 'next' },
    ...numbers.map((nr): Instruction => ({ op: 'jump', code: BPF_JEQ_K, k: nr, ifTrue: 'deny', ifFalse: 'next' })),
    { op: 'jump', code: BPF_JEQ_K, k: SYS_CLONE3, ifTrue: 'enosys', ifFalse: 'next' },
    { op: 'jump', code: BPF_JEQ_K, k: SYS_CLONE, ifTrue: 'next', ifFalse: 'allow' },
    { op: 'load', offset: OFFSET_ARG0_LOW }, // clone: refused when it would make a namespace
    { op: 'jump', code: BPF_JSET_K, k: CLONE_NAMESPACE_FLAGS, ifTrue: 'deny', ifFalse: 'allow' },
    // Classic BPF jumps only forward: the verdicts come last.
    { op: 'return', k: SECCOMP_RET_ALLOW, label: 'allow' },
    { op: 'return', k: SECCOMP_RET_ERRNO | EPERM, label: 'deny' },
    { op: 'return', k: SECCOMP_RET_ERRNO | ENOSYS, label: 'enosys' },
  ];
}

/** The program as bytes: struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }, host (little) endian. */
export function clientSeccompProgram(): Buffer {
  const instructions = program();
  const at = new Map<Label, number>();
  instructions.forEach((instruction, index) => {
    if (instruction.label !== undefined) at.set(instruction.label, index);
  });
  const out = Buffer.alloc(instructions.length * 8);
  instructions.forEach((instruction, index) => {
    const offset = index * 8;
    const skip = (target: Label | 'next'): number => {
      if (target === 'next') return 0;
      const distance = (at.get(target) ?? Number.NaN) - index - 1;
      if (!(distance >= 0 && distance <= 255)) throw new Error(`seccomp program: no reachable ${target} from ${index}`);
      return distance;
    };
    if (instruction.op === 'load') {
      out.writeUInt16LE(BPF_LD_W_ABS, offset);
      out.writeUInt32LE(instruction.offset, offset + 4);
    } else if (instruction.op === 'jump') {
      out.writeUInt16LE(instruction.code, offset);
      out.writeUInt8(skip(instruction.ifTrue), offset + 2);
      out.writeUInt8(skip(instruction.ifFalse), offset + 3);
      out.writeUInt32LE(instruction.k >>> 0, offset + 4);
    } else {
      out.writeUInt16LE(BPF_RET_K, offset);
      out.writeUInt32LE(instruction.k >>> 0, offset + 4);
    }
  });
  return out;
}
