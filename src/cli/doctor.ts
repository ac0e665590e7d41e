// nofearctl doctor: one line per check, OK / WARN / FAIL, and the command that fixes a failure.
// Exit 0 when NoFear can run a VM here; display, service and integration problems only warn.
import os from 'node:os';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runTool } from '../util/run.js';
import { findExecutable, qemuBinary } from '../util/which.js';
import { chooseAccel, readAccelFacts } from '../vm/accel.js';
import { jailTools, probeJail } from '../vm/jail.js';
import { qemuHasSeccomp } from '../vm/qemu-caps.js';
import { busyboxPath } from '../vm/initramfs.js';
import { kernelCacheDir } from '../vm/kernel.js';
import { loadConfig, formatProblem } from '../config/index.js';
import { ensureRuntimeBase } from '../sandbox/registry.js';

export type CheckStatus = 'OK' | 'WARN' | 'FAIL';

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

const ok = (name: string, detail: string): Check => ({ name, status: 'OK', detail });
const warn = (name: string, detail: string, fix?: string): Check => ({ name, status: 'WARN', detail, ...(fix ? { fix } : {}) });
const fail = (name: string, detail: string, fix: string): Check => ({ name, status: 'FAIL', detail, fix });

async function version(file: string, args: string[] = ['--version']): Promise<string> {
  const result = await runTool(file, args, { timeoutMs: 5000 }).catch(() => undefined);
  return (result?.stdout || result?.stderr || '').split('\n')[0]?.trim() ?? '';
}

function checkKvm(env: NodeJS.ProcessEnv): Check {
  const choice = chooseAccel(readAccelFacts(env));
  if (choice.accel === 'kvm') return ok('accelerator', `KVM (${choice.reason})`);
  return warn('accelerator', `TCG fallback: ${choice.reason}; VMs run several times slower (a GUI viewer takes ~10 s instead of ~2 s to appear)`, choice.fix);
}

async function checkQemu(env: NodeJS.ProcessEnv): Promise<Check[]> {
  const qemu = qemuBinary(env);
  if (qemu === undefined) return [fail('qemu', 'qemu-system-x86_64 not found on PATH', 'sudo apt-get install qemu-system-x86')];
  const checks = [ok('qemu', `${qemu}: ${await version(qemu)}`)];
  checks.push(
    (await qemuHasSeccomp(qemu))
      ? ok('qemu seccomp', '-sandbox on (seccomp) is supported')
      : warn('qemu seccomp', 'this QEMU is built without seccomp: VMs run with a one-line warning and no system-call filter', 'install a QEMU built with libseccomp (Debian: qemu-system-x86)'),
  );
  return checks;
}

async function checkJail(env: NodeJS.ProcessEnv): Promise<Check> {
  const tools = jailTools(env);
  const kind = await probeJail(tools);
  if (kind === 'bwrap') return ok('qemu jail', `bubblewrap (${tools.bwrap}): QEMU gets its own namespaces and only its own files`);
  const why = existsSync(tools.bwrap) ? `${tools.bwrap} cannot create an unprivileged sandbox here (user namespaces restricted?)` : `${tools.bwrap} is missing`;
  return warn('qemu jail', `${why}: QEMU runs under setpriv --pdeathsig only, seeing the whole host filesystem that you can`, existsSync(tools.bwrap) ? 'sudo sysctl -w kernel.unprivileged_userns_clone=1 (or allow bwrap in AppArmor)' : 'sudo apt-get install bubblewrap');
}

function checkBusybox(env: NodeJS.ProcessEnv): Check {
  const file = busyboxPath(env);
  if (!existsSync(file)) return fail('busybox', `${file} is missing`, 'sudo apt-get install busybox-static');
  const data = readFileSync(file);
  if (data.includes(Buffer.from('/lib64/ld-linux'))) return fail('busybox', `${file} is not statically linked`, 'sudo apt-get install busybox-static');
  return ok('busybox', `${file} (static)`);
}

function checkKernel(env: NodeJS.ProcessEnv): Check {
  if (env.NOFEAR_KERNEL) {
    return existsSync(env.NOFEAR_KERNEL) ? ok('guest kernel', `NOFEAR_KERNEL ${env.NOFEAR_KERNEL}`) : fail('guest kernel', `NOFEAR_KERNEL=${env.NOFEAR_KERNEL} does not exist`, 'unset NOFEAR_KERNEL');
  }
  const release = os.release();
  const host = `/boot/vmlinuz-${release}`;
  try {
    readFileSync(host, { flag: 'r' }).subarray(0, 1);
    if (existsSync(`/lib/modules/${release}/kernel`)) return ok('guest kernel', `the host's ${host}`);
  } catch {
    // not readable: the Debian package below
  }
  const cache = kernelCacheDir(env);
  const cached = existsSync(cache) ? (listDir(cache).find((n) => n.startsWith('linux-image-')) ?? '') : '';
  if (cached) return ok('guest kernel', `Debian's ${cached} in ${cache}`);
  if (findExecutable('apt-get', env)) return ok('guest kernel', `Debian's linux-image-amd64, downloaded into ${cache} on the first run`);
  return fail('guest kernel', 'no readable host kernel and no apt-get to fetch one', 'set NOFEAR_KERNEL=/path/to/vmlinuz and NOFEAR_KERNEL_MODULES=/path/to/lib/modules/<version>');
}


function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

async function checkGuiTools(env: NodeJS.ProcessEnv): Promise<Check[]> {
  const checks: Check[] = [];
  const xpra = findExecutable('xpra', env);
  checks.push(xpra ? ok('xpra', `${xpra}: ${await version(xpra)}`) : fail('xpra', 'xpra is missing: windows cannot come back from the VM', 'sudo apt-get install xpra'));
  const xvfb = findExecutable('Xvfb', env);
  checks.push(xvfb ? ok('xvfb', xvfb) : fail('xvfb', 'Xvfb is missing: the guest has no X server for the viewer', 'sudo apt-get install xvfb'));
  return checks;
}

function checkDisplay(env: NodeJS.ProcessEnv): Check {
  if (env.WAYLAND_DISPLAY) return ok('display', `Wayland ${env.WAYLAND_DISPLAY}${env.DISPLAY ? ` with XWayland ${env.DISPLAY} (Xpra attaches there)` : ' without XWayland: Xpra needs DISPLAY'}`);
  if (env.DISPLAY) return ok('display', `X11 ${env.DISPLAY}`);
  return warn('display', 'no DISPLAY or WAYLAND_DISPLAY: GUI programs and nofear-open cannot show windows here ("Can\'t open display")', 'run from a desktop session, or export DISPLAY=:0');
}

function checkMemory(env: NodeJS.ProcessEnv): Check[] {
  const result = loadConfig(env);
  const hostMiB = Math.floor(os.totalmem() / 1024 / 1024);
  const checks: Check[] = [];
  const guest = result.config.vm.memoryMiB;
  checks.push(guest <= hostMiB / 2 ? ok('memory', `guest ${guest} MiB of host ${hostMiB} MiB`) : warn('memory', `guest ${guest} MiB is more than half the host's ${hostMiB} MiB`, 'set [vm] memory = 1024 in config.ini'));
  for (const problem of result.problems) checks.push(warn('config', formatProblem(problem), 'nofearctl config shows the effective settings'));
  return checks;
}

function checkRuntimeDir(env: NodeJS.ProcessEnv): Check {
  try {
    return ok('runtime dir', ensureRuntimeBase(env));
  } catch (error) {
    return fail('runtime dir', (error as Error).message, 'set XDG_RUNTIME_DIR to a private directory');
  }
}

function checkSessionBus(env: NodeJS.ProcessEnv): Check {
  const address = env.DBUS_SESSION_BUS_ADDRESS;
  if (!address) return warn('session bus', 'no session bus: nofear-open runs VMs in-process (no service, no file-manager integration)');
  return ok('session bus', address.replace(/,guid=.*/, ''));
}

function checkIntegration(env: NodeJS.ProcessEnv): Check {
  const dataHome = env.XDG_DATA_HOME || path.join(env.HOME ?? os.homedir(), '.local', 'share');
  const entry = path.join(dataHome, 'applications', 'org.nofear.NoFear.desktop');
  return existsSync(entry) ? ok('integration', `installed (${entry})`) : warn('integration', 'not installed: no "Open in NoFear" in the file manager', 'nofearctl integrate install');
}

export async function runDoctor(env: NodeJS.ProcessEnv = process.env): Promise<Check[]> {
  return [
    ok('node', `${process.version}`),
    checkKvm(env),
    ...(await checkQemu(env)),
    await checkJail(env),
    checkBusybox(env),
    checkKernel(env),
    ...(await checkGuiTools(env)),
    checkRuntimeDir(env),
    ...checkMemory(env),
    checkDisplay(env),
    checkSessionBus(env),
    checkIntegration(env),
  ];
}

export function formatChecks(checks: readonly Check[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  return checks
    .map((c) => `${c.status.padEnd(4)}  ${c.name.padEnd(width)}  ${c.detail}${c.fix && c.status !== 'OK' ? `\n      fix: ${c.fix}` : ''}`)
    .join('\n') + '\n';
}
