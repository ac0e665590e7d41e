// What the man pages say beyond the option tables that other modules own: every config.ini key (read from
// the settings table, so a new key is documented at once) and every NOFEAR_* variable a person may set.
import { SETTINGS } from '../config/settings.js';

/** "[vm] memory, cpus, ...; [gui] ...": every key of the settings table, by section. */
export function configKeys(): string {
  const sections = new Map<string, string[]>();
  for (const setting of SETTINGS) sections.set(setting.section, [...(sections.get(setting.section) ?? []), setting.key]);
  return [...[...sections].map(([section, keys]) => `[${section}] ${keys.join(', ')}`), '[profile.NAME] border'].join('; ');
}

export const CONFIG_PARAGRAPH = `Settings: \`~/.config/nofear/config.ini\` (\`$XDG_CONFIG_HOME/nofear/config.ini\`): ${configKeys()}. \`nofearctl config\` shows the effective values and where each comes from. This machine's measured boot and window times: \`~/.cache/nofear/timings.json\` (\`$XDG_CACHE_HOME\`).`;

/** The variables a person sets (never the ones NoFear sets for its own children, nor the tests' own). */
export const ENVIRONMENT: ReadonlyArray<readonly [string, string]> = [
  ['NOFEAR_ACCEL=kvm|tcg|auto', 'the accelerator, before [vm] accel in config.ini; `nofearctl doctor` checks a forced one.'],
  ['NOFEAR_KVM_DEVICE=PATH', 'the KVM device to check instead of /dev/kvm.'],
  ['NOFEAR_QEMU=PATH', 'the QEMU binary (default: qemu-system-x86_64 on PATH).'],
  ['NOFEAR_KERNEL=PATH, NOFEAR_KERNEL_MODULES=DIR', "the guest kernel and its modules' directory, instead of the host's or Debian's downloaded one."],
  ['NOFEAR_BUSYBOX=PATH', "the static busybox the guest's init uses (default: /bin/busybox)."],
  ['NOFEAR_XPRA=PATH', 'the Xpra binary (default: xpra on PATH).'],
  ['NOFEAR_PASST=PATH', 'passt, which --net user runs through (default: passt on PATH).'],
  ['NOFEAR_PASTA=PATH', "pasta, from passt's package, for the network fence that keeps the LAN out (default: pasta on PATH)."],
  ['NOFEAR_BWRAP, NOFEAR_SETPRIV, NOFEAR_PRLIMIT=PATH', "the jail's tools (default: /usr/bin/bwrap, /usr/bin/setpriv, /usr/bin/prlimit)."],
  ['NOFEAR_MKFS=PATH', "mkfs.ext4, which makes a profile's disk."],
  ['NOFEAR_PYTHON=PATH', "the Python that reads and writes files' extended attributes (the mark of the outside)."],
  ['NOFEAR_FILE=PATH', "file(1), which helps tell a file's type from its content."],
  ['NOFEAR_CLIENT_JAIL=off', 'runs the host Xpra client without its jail (for measurements; a warning says so).'],
  ['NOFEAR_CLIENT_POLICY=off', "runs the host Xpra client with Xpra's own policy instead of NoFear's (for measurements)."],
  ['NOFEAR_CLIENT_LOG=1', "shows the host Xpra client's own output."],
  [
    'NOFEAR_X_UNTRUSTED=off',
    "gives the host Xpra client the user's own X cookie instead of an untrusted one (X SECURITY), for an X server whose untrusted clients cannot show its windows: a client taken over could then type into and read other windows.",
  ],
  ['NOFEAR_SECCOMP=off', 'starts QEMU without its seccomp filter.'],
  ['NOFEAR_TB_SIZE=default', "leaves QEMU's translation cache at QEMU's own size instead of [vm] tb_size."],
  ['NOFEAR_CONSOLE=1', "copies the guest's console to stderr (and shows its end when a VM fails)."],
  ['NOFEAR_TRACE=1', "prints the guest's boot phases on its console, for benchmarks."],
  ['NOFEAR_PHASES=1', 'prints, as the command ends, where its time went on the host (start, probes, image cache, boot, job, clean-up), for benchmarks.'],
  ['NOFEAR_DEBUG=1', 'adds the stack to an internal error.'],
  ['NOFEAR_BIN_DIR=DIR', 'where `nofearctl integrate install` finds the nofear-open and nofearctl launchers.'],
  ['NOFEAR_UPDATE_DESKTOP_DATABASE, NOFEAR_SYSTEMCTL=PATH', 'the tools `nofearctl integrate` refreshes the desktop with.'],
];

export const ENVIRONMENT_PARAGRAPHS: readonly string[] = ENVIRONMENT.map(([name, what]) => `\`${name}\`: ${what}`);
