// Which kernel modules the guest needs, and the order to load them in (dependencies first).

/**
 * Modules the guest init loads, by group: every VM needs the base (consoles and ports, 9p, overlay);
 * only a persistent profile needs its disk, only --net user the NIC. Loading a module costs tens of
 * milliseconds under TCG, so the init loads the groups its VM uses.
 */
export const MODULE_GROUPS = {
  base: ['virtio_mmio', 'virtio_console', '9p', '9pnet_virtio', 'overlay'],
  // ext4 asks the crypto API for crc32c at mount time: no modinfo dependency names it.
  disk: ['virtio_blk', 'crc32c_generic', 'ext4'],
  net: ['virtio_net'],
} as const;

export type ModuleGroup = keyof typeof MODULE_GROUPS;

export const GUEST_MODULES: readonly string[] = Object.values(MODULE_GROUPS).flat();

const SIGNATURE_MAGIC = Buffer.from('~Module signature appended~\n');

/**
 * The module without its appended signature, so the guest kernel does not spend an RSA check on
 * each under TCG. The modules come from the host's trusted kernel package and are loaded by NoFear's
 * init before any job runs; a guest root that loads modules later owns a throwaway kernel anyway.
 */
export function stripModuleSignature(ko: Buffer): Buffer {
  if (ko.length < SIGNATURE_MAGIC.length + 12 || !ko.subarray(ko.length - SIGNATURE_MAGIC.length).equals(SIGNATURE_MAGIC)) return ko;
  const info = ko.length - SIGNATURE_MAGIC.length - 12;
  const signatureLength = ko.readUInt32BE(info + 8);
  const end = info - signatureLength;
  return end > 0 ? ko.subarray(0, end) : ko;
}

export function normaliseModuleName(name: string): string {
  return name
    .replace(/\.ko(\.xz|\.zst|\.gz)?$/, '')
    .replace(/^.*\//, '')
    .replace(/-/g, '_');
}

/**
 * The load order for `wanted` and everything they depend on, dependencies first.
 * Built-in modules are skipped; a module that is neither built in nor known is an error,
 * because a guest without it would fail in a way that is hard to see from the host.
 */
export function resolveLoadOrder(wanted: readonly string[], dependsOf: (name: string) => readonly string[] | undefined, isBuiltin: (name: string) => boolean): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (raw: string, chain: readonly string[]) => {
    const name = normaliseModuleName(raw);
    if (isBuiltin(name) || state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new Error(`module dependency cycle: ${[...chain, name].join(' -> ')}`);
    const deps = dependsOf(name);
    if (deps === undefined) throw new Error(`kernel module ${name} not found${chain.length ? ` (needed by ${chain.at(-1)})` : ''}`);
    state.set(name, 'visiting');
    for (const dep of deps) visit(dep, [...chain, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of wanted) visit(name, []);
  return order;
}

/** The `depends=` list from a module's .modinfo strings (present in every .ko, with or without modules.dep). */
export function parseModinfoDepends(ko: Buffer): string[] {
  const marker = Buffer.from('\0depends=');
  const start = ko.indexOf(marker);
  if (start < 0) return [];
  const from = start + marker.length;
  const end = ko.indexOf(0, from);
  const value = ko.subarray(from, end < 0 ? undefined : end).toString('latin1');
  return value
    .split(',')
    .filter((dep) => dep !== '')
    .map(normaliseModuleName);
}

/** Module names listed in modules.builtin ("kernel/fs/ext4/ext4.ko" per line). */
export function parseModulesBuiltin(text: string): Set<string> {
  return new Set(
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .map(normaliseModuleName),
  );
}
