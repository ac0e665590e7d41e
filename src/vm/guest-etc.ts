// The guest's generated /etc: a fixed user, no secrets, nothing taken from the host but an allow-list.

/** Harmless host files copied into every guest: fonts, alternatives, the loader cache, MIME, theme and application defaults. */
export const HOST_FILE_ALLOW_LIST = [
  '/etc/fonts',
  '/etc/alternatives',
  '/etc/ld.so.cache',
  '/etc/mime.types',
  '/etc/xdg',
  '/etc/X11',
  '/etc/gtk-3.0',
  '/etc/python3',
  '/etc/python3.11',
  '/etc/python3.12',
  '/etc/python3.13',
  '/etc/ssl/certs',
  '/etc/localtime',
  '/etc/papersize',
  // Debian's LibreOffice keeps its configuration schema here (/usr/lib/libreoffice/share/registry and
  // psprint.conf are symlinks into it): without it every start aborts with NoSuchElementException.
  '/etc/libreoffice',
  '/var/cache/fontconfig',
] as const;

/** The host's top-level system directories, shared read-only: this list is the whitelist. */
export const SYSTEM_EXPORTS = ['/usr', '/bin', '/lib', '/lib64', '/sbin', '/opt'] as const;

export function generatedEtc(shell: string): Record<string, string> {
  return {
    '/etc/passwd': `root:x:0:0:root:/root:${shell}\nuser:x:1000:1000:NoFear user:/home/user:${shell}\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`,
    '/etc/group': 'root:x:0:\ntty:x:5:\naudio:x:29:user\nvideo:x:44:user\nuser:x:1000:\nnogroup:x:65534:\n',
    '/etc/shadow': 'root:*:19000:0:99999:7:::\nuser:*:19000:0:99999:7:::\n',
    '/etc/hosts': '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n',
    '/etc/hostname': 'nofear\n',
    '/etc/nsswitch.conf': 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n',
    // Only used with --net user, where QEMU's user network answers DNS on 10.0.2.3.
    '/etc/resolv.conf': 'nameserver 10.0.2.3\n',
    '/etc/shells': '/bin/sh\n/bin/bash\n/usr/bin/bash\n',
    '/etc/os-release': 'NAME="NoFear guest"\nID=nofear\nPRETTY_NAME="NoFear throwaway VM"\n',
  };
}
