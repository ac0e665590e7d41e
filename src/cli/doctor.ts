// nofearctl doctor: one line per check, OK / WARN / FAIL, and the command that fixes a problem.
// Exit 0 when NoFear can run a VM here; display, service and integration problems only warn.
import os from 'node:os';
import { existsSync, readFileSync, accessSync, constants as fsc } from 'node:fs';
import { runTool } from '../util/run.js';
import { findExecutable, qemuBinary } from '../util/which.js';
import { decideAccel } from '../vm/accel.js';
import { readTimings } from '../vm/timings.js';
import { checkAccel } from './doctor-accel.js';
import { jailTools, probeJail } from '../vm/jail.js';
import { qemuHasSeccomp } from '../vm/qemu-caps.js';
import { busyboxPath } from '../vm/initramfs.js';
import { kernelCacheDir, locateKernel } from '../vm/kernel.js';
import { findPasta, findPasst } from '../vm/passt.js';
import { accelOfConfig, configPath, loadConfig, formatProblem } from '../config/index.js';
import { ensureRuntimeBase } from '../sandbox/registry.js';
import { mkfsPath } from '../profiles/store.js';
import { installHint, PACKAGES } from './doctor-install.js';
import { sessionChecks } from './doctor-session.js';
import { checkClientJail, checkXAccess } from './doctor-client-jail.js';
import { ocrLanguagesCheck } from './doctor-ocr.js';
import { soundCheck } from './doctor-sound.js';
import type { Check } from './doctor-check.js';
import { probeXpra, type XpraState } from '../gui/xpra-probe.js';
import { checkTrust } from './doctor-trust.js';

export { doctorExitStatus, formatChecks, type Check, type CheckStatus } from './doctor-check.js';
export { checkAccel } from './doctor-accel.js';

const ok = (name: string, detail: string): Check => ({ name, status: 'OK', detail });
const warn = (name: string, detail: string, fix?: string): Check => ({ name, status: 'WARN', detail, ...(fix ? { fix } : {}) });
const fail = (name: string, detail: string, fix: string): Check => ({ name, status: 'FAIL', detail, fix });

const NODE_MIN = [18, 19, 0] as const;

/** execa 9 needs Node >= 18.19: Debian 12's nodejs (18.20) and Ubuntu 24.04's (18.19) are enough (DESIGN, Install). */
export function checkNode(version: string): Check {
  const [major = 0, minor = 0, patch = 0] = version.replace(/^v/, '').split('.').map(Number);
  const [a, b, c] = NODE_MIN;
  const enough = major !== a ? major > a : minor !== b ? minor > b : patch >= c;
  return enough
    ? ok('node', version)
    : fail(
        'node',
        `Node.js ${version} is older than ${NODE_MIN.join('.')}, which NoFear's libraries need`,
        `install your distribution's nodejs (Debian 12, Ubuntu 24.04 and newer have one new enough): ${installHint(PACKAGES.nodejs)}`,
      );
}

async function version(file: string, args: string[] = ['--version']): Promise<string> {
  const result = await runTool(file, args, { timeoutMs: 5000 }).catch(() => undefined); // no version to show: the check itself says why
  return (result?.stdout || result?.stderr || '').split('\n')[0]?.trim() ?? '';
}

async function checkQemu(env: NodeJS.ProcessEnv): Promise<Check[]> {
  const qemu = qemuBinary(env);
  if (qemu === undefined) {
    const what = env.NOFEAR_QEMU ? `NOFEAR_QEMU=${env.NOFEAR_QEMU} is not an executable` : 'qemu-system-x86_64 is not on PATH';
    return [fail('qemu', `${what}: no VM can start`, installHint(PACKAGES.qemu))];
  }
  const checks = [ok('qemu', `${qemu}: ${await version(qemu)}`)];
  checks.push(
    (await qemuHasSeccomp(qemu))
      ? ok('qemu seccomp', '-sandbox on (seccomp) is supported')
      : warn('qemu seccomp', 'this QEMU is built without seccomp: VMs run with a one-line warning and no system-call filter', `install a QEMU built with libseccomp: ${installHint(PACKAGES.qemu)}`),
  );
  return checks;
}

function executable(file: string): boolean {
  try {
    accessSync(file, fsc.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function checkJail(env: NodeJS.ProcessEnv): Promise<Check[]> {
  const tools = jailTools(env);
  const checks: Check[] = [];
  // prlimit bounds QEMU's memory and files in every jail: without it QEMU does not start.
  if (!executable(tools.prlimit)) checks.push(fail('prlimit', `${tools.prlimit} is missing: QEMU cannot be started with its limits`, installHint(PACKAGES.utilLinux)));
  const kind = await probeJail(tools);
  if (kind === 'bwrap') {
    checks.push(ok('qemu jail', `bubblewrap (${tools.bwrap}): QEMU gets its own namespaces and only its own files`));
    return checks;
  }
  if (!executable(tools.setpriv)) checks.push(fail('setpriv', `${tools.setpriv} is missing and bubblewrap does not work: QEMU could outlive NoFear`, installHint(PACKAGES.utilLinux)));
  const missing = !existsSync(tools.bwrap);
  const why = missing ? `${tools.bwrap} is missing` : `${tools.bwrap} cannot create an unprivileged sandbox here (user namespaces restricted?)`;
  checks.push(
    warn(
      'qemu jail',
      `${why}: QEMU runs under setpriv --pdeathsig only, seeing the whole host filesystem that you can`,
      missing ? installHint(PACKAGES.bubblewrap) : 'sudo sysctl -w kernel.unprivileged_userns_clone=1 (or allow bwrap in AppArmor)',
    ),
  );
  return checks;
}

async function checkBusybox(env: NodeJS.ProcessEnv): Promise<Check> {
  const file = busyboxPath(env);
  if (!existsSync(file)) return fail('busybox', `${file} is missing: the guest has no init`, installHint(PACKAGES.busybox));
  // A dynamically linked busybox would need the host's libraries before the guest mounts them.
  if (readFileSync(file).includes(Buffer.from('/lib64/ld-linux'))) return fail('busybox', `${file} is not statically linked`, installHint(PACKAGES.busybox));
  return ok('busybox', `${file} (static): ${await version(file, [])}`);
}

/** The VM's own lookup (src/vm/kernel.ts), without downloading anything. */
async function checkKernel(env: NodeJS.ProcessEnv): Promise<Check> {
  const location = await locateKernel(env, () => findExecutable('apt-get', env) !== undefined && findExecutable('dpkg', env) !== undefined);
  switch (location.kind) {
    case 'problem':
      return fail('guest kernel', location.message.replace(/\.$/, ''), location.fix);
    case 'env':
      return ok('guest kernel', `NOFEAR_KERNEL ${location.image}`);
    case 'host':
      return ok('guest kernel', `the host's ${location.image}`);
    case 'cached':
      return ok('guest kernel', `Debian's ${location.name} in ${kernelCacheDir(env)}`);
    case 'download':
      return ok('guest kernel', `Debian's linux-image-amd64, downloaded into ${kernelCacheDir(env)} on the first run (no root needed)`);
  }
}

async function checkTools(env: NodeJS.ProcessEnv): Promise<Check[]> {
  const checks: Check[] = [];
  checks.push(displayMode(await probeXpra(env)));
  const xpra = findExecutable('xpra', env);
  if (xpra) checks.push(await checkXpraModules());
  const xvfb = findExecutable('Xvfb', env);
  checks.push(xvfb ? ok('xvfb', xvfb) : fail('xvfb', 'Xvfb is missing: the guest has no X server for the viewer', installHint(PACKAGES.xvfb)));
  const mkfs = mkfsPath(env);
  const mkfsFound = mkfs.includes('/') ? executable(mkfs) : findExecutable(mkfs, env) !== undefined;
  checks.push(mkfsFound ? ok('mkfs.ext4', mkfs) : fail('mkfs.ext4', 'mkfs.ext4 is missing: persistent profiles (plain `nofear` uses "default") cannot be created', installHint(PACKAGES.e2fsprogs)));
  const { links } = loadConfig(env).config;
  checks.push(checkPasst(env, links.lan, links.reuseSeconds));
  return checks;
}

/** Which mode this host opens files in: windows through Xpra, or (no Xpra) safe PDFs in the host's own viewer. */
export function displayMode(xpra: XpraState): Check {
  if (xpra.kind === 'known') return ok('xpra', `${xpra.path}: Xpra ${xpra.version}; mode: windows (files open in their own application, forwarded from the VM)`);
  if (xpra.kind === 'unknown')
    return warn('xpra', `${xpra.path}: Xpra ${xpra.version} is not a version NoFear's window policy knows (3.1); mode: none (opens are refused; --convert works)`, 'nofear-open --convert FILE');
  return warn('xpra', 'xpra is missing; mode: safe PDFs (files are converted in a VM and shown in your own PDF viewer: no editing or interactivity)', installHint(PACKAGES.xpra));
}

/**
 * passt is required for --net user: without it NoFear refuses the option rather than share the host's
 * network. What a link VM reaches besides the internet, as measured ([links] lan, README's "Links"), and
 * whether a second link shares a running link VM ([links] reuse_seconds).
 */
export function checkPasst(env: NodeJS.ProcessEnv, linksLan = true, reuseSeconds = 0): Check {
  const passt = findPasst(env);
  const pasta = findPasta(env);
  if (passt && !linksLan && !pasta) {
    return warn('passt', `${passt}, but [links] lan = no needs pasta (from the same package) to keep the local network out, and it is missing: links are refused`, installHint(PACKAGES.passt));
  }
  const reach = linksLan
    ? "it does reach your local network and this computer's other addresses, as any program of yours would ([links] lan = no keeps them out)"
    : `[links] lan = no: a link VM reaches the internet only, not your local network or this computer's other addresses (${pasta} fences them off)`;
  const reuse =
    reuseSeconds > 0
      ? `a link within ${reuseSeconds} s of the last one opens in that link VM's browser, when they have the same browser, network, sound and display ([links] reuse_seconds; links through the NoFear service)`
      : 'each link gets a VM of its own ([links] reuse_seconds = 0)';
  return passt
    ? ok('passt', `${passt}: required for --net user and links, which run through it (the guest cannot reach the host's loopback services; ${reach}); ${reuse}`)
    : warn(
        'passt',
        `${env.NOFEAR_PASST ? `NOFEAR_PASST=${env.NOFEAR_PASST} is not an executable` : 'passt is missing'}: it is required for --net user, which NoFear refuses without it (VMs without a network run as usual)`,
        installHint(PACKAGES.passt),
      );
}

/** Xpra 3.1's server imports PIL for every window it forwards (window icons): without it the window
 * maps, then the connection drops. Debian's xpra only recommends python3-pil. */
async function checkXpraModules(): Promise<Check> {
  const probe = await runTool('/usr/bin/python3', ['-c', 'import PIL.Image'], { timeoutMs: 10_000 });
  return probe.exitCode === 0
    ? ok('xpra python', "PIL (python3-pil) is importable: the guest's Xpra server can forward windows")
    : fail('xpra python', "python3-pil is missing: Xpra's server drops the connection at the first window, so no file can be opened", installHint(PACKAGES.pil));
}

function checkMemory(env: NodeJS.ProcessEnv): Check[] {
  const result = loadConfig(env);
  const hostMiB = Math.floor(os.totalmem() / 1024 / 1024);
  const guest = result.config.vm.memoryMiB;
  const checks = [
    guest <= hostMiB / 2
      ? ok('memory', `guest ${guest} MiB of host ${hostMiB} MiB`)
      : warn(
          'memory',
          `guest ${guest} MiB is more than half the host's ${hostMiB} MiB`,
          `set [vm] memory = ${Math.max(256, Math.floor(hostMiB / 4))} in ${configPath(env)}, or: nofear --mem ${Math.max(256, Math.floor(hostMiB / 4))} CMD`,
        ),
  ];
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

/** The accelerator as every VM decides it (the environment, then config.ini, then the probe), checked, with this machine's times. */
export function doctorAccel(env: NodeJS.ProcessEnv): Check {
  return checkAccel(decideAccel(env, accelOfConfig(loadConfig(env).config)), readTimings(env), configPath(env));
}

export async function runDoctor(env: NodeJS.ProcessEnv = process.env): Promise<Check[]> {
  return [
    checkNode(process.version),
    doctorAccel(env),
    ...(await checkQemu(env)),
    ...(await checkJail(env)),
    await checkBusybox(env),
    await checkKernel(env),
    ...(await checkTools(env)),
    ocrLanguagesCheck(env),
    soundCheck(env, loadConfig(env).config.gui.sound),
    checkRuntimeDir(env),
    ...checkMemory(env),
    ...(await sessionChecks(env)),
    await checkClientJail(env),
    ...[await checkXAccess(env)].filter((c): c is Check => c !== undefined),
    ...(await checkTrust(loadConfig(env).config, env)),
  ];
}
