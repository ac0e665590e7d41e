// The environment a guest command starts with: the guest's own paths, the host's locale and terminal
// type when they are plain values, nothing else from the host.

/** The guest user's PATH: the host's /usr, read-only (host-side checks of what the guest will find use it too). */
export const GUEST_USER_PATH = '/usr/local/bin:/usr/bin:/bin';
const SAFE_LOCALE = /^[A-Za-z0-9_.@-]{1,40}$/;
const SAFE_TERM = /^[A-Za-z0-9_.+-]{1,40}$/;

export function guestEnvironment(input: { root: boolean; interactive: boolean; hostEnv: NodeJS.ProcessEnv; display?: string }): Record<string, string> {
  const home = input.root ? '/root' : '/home/user';
  const user = input.root ? 'root' : 'user';
  const env: Record<string, string> = {
    HOME: home,
    USER: user,
    LOGNAME: user,
    SHELL: '/bin/sh',
    PATH: input.root ? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' : GUEST_USER_PATH,
    LANG: SAFE_LOCALE.test(input.hostEnv.LANG ?? '') ? (input.hostEnv.LANG as string) : 'C.UTF-8',
    XDG_RUNTIME_DIR: input.root ? '/run' : '/run/user/1000',
  };
  const term = input.hostEnv.TERM ?? '';
  env.TERM = input.interactive && SAFE_TERM.test(term) ? term : 'dumb';
  if (input.display !== undefined) env.DISPLAY = input.display;
  return env;
}
