// QEMU option strings: key=value lists with commas doubled, so a path cannot inject an option.

export function escapeQemuValue(value: string): string {
  return value.replace(/,/g, ',,');
}

/** qemuOpts('socket', {id: 'c', path: '/a,b'}) → "socket,id=c,path=/a,,b" */
export function qemuOpts(head: string, options: Readonly<Record<string, string | number | undefined>>): string {
  const parts = [head];
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    parts.push(`${key}=${escapeQemuValue(String(value))}`);
  }
  return parts.join(',');
}
