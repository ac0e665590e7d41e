// The profile list as `nofear -l` and `nofearctl profiles list` print it.
import type { ProfileInfo } from '../profiles/store.js';

export function humanBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function formatProfiles(profiles: readonly ProfileInfo[]): string {
  if (profiles.length === 0) return 'no profiles (nofear -n NAME creates one; plain `nofear` uses "default")\n';
  const rows = profiles.map((p) => [p.name, humanBytes(p.sizeOnDisk), p.lastUsed ? p.lastUsed.toISOString().slice(0, 16).replace('T', ' ') : 'never', p.inUseBy ? `in use (pid ${p.inUseBy})` : '']);
  const header = ['PROFILE', 'SIZE', 'LAST USED', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return (
    [header, ...rows]
      .map((row) =>
        row
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
