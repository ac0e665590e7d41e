import assert from 'node:assert/strict';
import { checkAccel, checkNode, checkPasst, doctorExitStatus, formatChecks, type Check } from '../../../src/cli/doctor.js';
import { distroFamily, installCommand, PACKAGES } from '../../../src/cli/doctor-install.js';
import { checkDisplay, checkIntegration, checkService, checkSessionBus, type Prober } from '../../../src/cli/doctor-session.js';
import { chooseAccel } from '../../../src/vm/accel.js';
import { clientJailCheck, xAccessCheck } from '../../../src/cli/doctor-client-jail.js';

const check = (status: Check['status']): Check => ({ name: 'x', status, detail: 'd' });
const answers =
  (replies: Record<string, { exitCode: number; stdout?: string; stderr?: string } | undefined>): Prober =>
  async (program, args) => {
    const reply = replies[`${program} ${args.find((a) => a.startsWith('org.freedesktop.DBus.')) ?? ''}`.trim()];
    return reply === undefined ? undefined : { stdout: '', stderr: '', ...reply };
  };

describe('nofearctl doctor', () => {
  it('exits 1 only on a FAIL: warnings (display, service, integration, TCG) keep 0', () => {
    assert.equal(doctorExitStatus([check('OK'), check('WARN')]), 0);
    assert.equal(doctorExitStatus([check('OK'), check('FAIL'), check('WARN')]), 1);
    assert.match(formatChecks([check('OK'), check('FAIL')]), /NoFear cannot run here: 1 check failed/);
    assert.match(formatChecks([check('WARN')]), /NoFear can run here \(1 warning\)\.\n$/);
  });

  it('reports a PVM KVM as unusable with the TCG fallback and its cost, as a warning', () => {
    const choice = chooseAccel({ kvmDeviceExists: true, kvmDeviceAccessible: true, cpuHasVirtFlag: false, vendorModuleLoaded: false, pvmModuleLoaded: true });
    const line = checkAccel(choice);
    assert.equal(line.status, 'WARN');
    assert.match(line.detail, /^KVM unusable \(\/dev\/kvm is a PVM KVM.*\): falling back to TCG, several times slower/);
  });

  it('gives the kvm group and setfacl for an inaccessible /dev/kvm', () => {
    const line = checkAccel(chooseAccel({ kvmDeviceExists: true, kvmDeviceAccessible: false, cpuHasVirtFlag: true, vendorModuleLoaded: true, pvmModuleLoaded: false }));
    assert.match(line.fix ?? '', /usermod -aG kvm .*setfacl -m u:\$USER:rw \/dev\/kvm/);
  });

  it("fails on a Node older than 18.19 and names the distribution's nodejs", () => {
    assert.equal(checkNode('v18.19.0').status, 'OK');
    assert.equal(checkNode('v18.20.4').status, 'OK');
    assert.equal(checkNode('v22.1.0').status, 'OK');
    const old = checkNode('v18.18.2');
    assert.equal(old.status, 'FAIL');
    assert.match(old.fix ?? '', /install -y nodejs$/);
    assert.equal(checkNode('v16.20.0').status, 'FAIL');
  });

  it('says passt is required for --net user, and warns (never fails) without it, naming the package', () => {
    const missing = checkPasst({ NOFEAR_PASST: '/nonexistent/passt' });
    assert.equal(missing.status, 'WARN');
    assert.match(missing.detail, /^NOFEAR_PASST=\/nonexistent\/passt is not an executable: it is required for --net user, which NoFear refuses without it/);
    assert.match(missing.fix ?? '', /apt-get install -y passt$/);
    assert.match(checkPasst({ PATH: '/nonexistent' }).detail, /^passt is missing: it is required for --net user/);
    const found = checkPasst({ NOFEAR_PASST: '/bin/sh' }); // any executable stands in for it
    assert.equal(found.status, 'OK');
    assert.match(found.detail, /^\/bin\/sh: required for --net user/);
    // What a link VM reaches besides the internet, as measured (README, "Links in a throwaway browser").
    assert.match(found.detail, /it does reach your local network and this computer's other addresses, as any program of yours would \(\[links\] lan = no keeps them out\)/);
    const fenced = checkPasst({ NOFEAR_PASST: '/bin/sh', NOFEAR_PASTA: '/bin/true' }, false);
    assert.equal(fenced.status, 'OK');
    assert.match(fenced.detail, /\[links\] lan = no: a link VM reaches the internet only, not your local network or this computer's other addresses \(\/bin\/true fences them off\)/);
    const noPasta = checkPasst({ NOFEAR_PASST: '/bin/sh', NOFEAR_PASTA: '/nonexistent/pasta' }, false);
    assert.equal(noPasta.status, 'WARN');
    assert.match(noPasta.detail, /\[links\] lan = no needs pasta .* links are refused$/);
    // [links] reuse_seconds: whether a second link shares the link VM.
    assert.match(found.detail, /; each link gets a VM of its own \(\[links\] reuse_seconds = 0\)$/);
    assert.match(
      checkPasst({ NOFEAR_PASST: '/bin/sh' }, true, 90).detail,
      /; a link within 90 s of the last one opens in that link VM's browser, .*\(\[links\] reuse_seconds; links through the NoFear service\)$/,
    );
  });

  it("names the package in the distribution's own terms", () => {
    assert.equal(distroFamily('ID=debian\nVERSION_ID="12"\n'), 'debian');
    assert.equal(distroFamily('ID=ubuntu\nID_LIKE=debian\n'), 'debian');
    assert.equal(distroFamily('ID="rocky"\nID_LIKE="rhel centos fedora"\n'), 'fedora');
    assert.equal(distroFamily(undefined), 'debian');
    assert.equal(installCommand([PACKAGES.qemu], 'debian', false), 'sudo apt-get install -y qemu-system-x86');
    assert.equal(installCommand([PACKAGES.qemu, PACKAGES.xvfb], 'fedora', true), 'dnf install -y qemu-system-x86-core xorg-x11-server-Xvfb');
  });
});

describe('nofearctl doctor, session checks (never FAIL)', () => {
  it('warns without a display, and checks that Xpra could attach to one', async () => {
    const none = await checkDisplay({}, answers({}));
    assert.equal(none.status, 'WARN');
    assert.match(none.detail, /Can't open display/);
    assert.equal((await checkDisplay({ DISPLAY: ':0' }, answers({ xdpyinfo: { exitCode: 0 } }))).detail, 'X11 :0: Xpra can attach');
    const broken = await checkDisplay({ DISPLAY: ':9' }, answers({ xdpyinfo: { exitCode: 1, stderr: 'xdpyinfo:  unable to open display ":9".' } }));
    assert.equal(broken.status, 'WARN');
    assert.match(broken.detail, /does not accept clients \(xdpyinfo: {2}unable to open display ":9"\.\)/);
  });

  it('warns without a session bus or service, and knows a bus-activatable service', async () => {
    assert.equal(checkSessionBus({}).status, 'WARN');
    assert.equal(checkSessionBus({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus,guid=abc' }).detail, 'unix:path=/run/user/1000/bus');
    const bus = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/x' };
    // A stand-in for the session bus's answers (the real client is used in test/integration/ops.test.ts).
    const answering = (running: boolean, activatable: boolean) => ({ serviceRunning: async () => running, serviceActivatable: async () => activatable });
    assert.equal((await checkService({})).status, 'WARN');
    assert.equal((await checkService(bus, answering(true, false))).detail, 'org.nofear.NoFear is running');
    const activatable = await checkService(bus, answering(false, true));
    assert.deepEqual([activatable.status, activatable.detail], ['OK', 'not running; the session bus starts it on demand']);
    const missing = await checkService(bus, answering(false, false));
    assert.deepEqual([missing.status, missing.fix], ['WARN', 'nofearctl integrate install']);
    const silent = await checkService(bus, { serviceRunning: async () => Promise.reject(new Error('no reply')), serviceActivatable: async () => false });
    assert.match(silent.detail, /does not answer \(no reply\)/);
  });

  it('warns when the integration is not installed', () => {
    const line = checkIntegration({ XDG_DATA_HOME: '/nonexistent/nofear-test', XDG_DATA_DIRS: '/nonexistent/nofear-test-system' });
    assert.deepEqual([line.status, line.fix], ['WARN', 'nofearctl integrate install']);
  });
});

describe("nofearctl doctor's line for the Xpra client's jail", () => {
  const usable = { usable: true } as const;
  const display = { host: '', number: 1, screen: '' };
  it('says the jail is used, and through which socket', () => {
    const line = clientJailCheck(usable, { kind: 'socket', path: '/tmp/.X11-unix/X1', display }, false);
    assert.equal(line.status, 'OK');
    assert.match(line.detail, /no network, no bus, no home.*through \/tmp\/\.X11-unix\/X1/);
  });
  it("says when an abstract-only display goes through NoFear's relay", () => {
    const line = clientJailCheck(usable, { kind: 'relay', target: { abstract: '/tmp/.X11-unix/X1' }, display, why: 'display :1 has only an abstract socket' }, false);
    assert.equal(line.status, 'OK');
    assert.match(line.detail, /only an abstract socket, so it goes through NoFear's relay/);
  });
  it('warns, with the fix, when the jail cannot be built or is turned off', () => {
    const broken = clientJailCheck(
      { usable: false, missing: false, why: "bubblewrap cannot build the client's jail here (setting up uid map: Permission denied)", fix: 'sudo sysctl -w kernel.unprivileged_userns_clone=1' },
      undefined,
      false,
    );
    assert.equal(broken.status, 'WARN');
    assert.match(broken.detail, /Permission denied\): NoFear runs the Xpra client without its jail/);
    assert.match(broken.fix ?? '', /unprivileged_userns_clone/);
    assert.equal(clientJailCheck(usable, undefined, true).status, 'WARN');
    const unreachable = clientJailCheck(usable, { kind: 'unreachable', why: 'display :9 has no socket' }, false);
    assert.equal(unreachable.status, 'WARN');
    assert.match(unreachable.detail, /refuses to show windows there rather than run the client unjailed/);
  });
  it('says what fences the client in on the X server: an untrusted cookie, or what it cannot refuse and why', () => {
    assert.equal(xAccessCheck({ ok: true }).status, 'OK');
    assert.match(xAccessCheck({ ok: true }).detail, /untrusted X cookie \(SECURITY extension\)/);
    const notOn = xAccessCheck({ ok: true }, true);
    assert.equal(notOn.status, 'WARN');
    assert.match(notOn.fix ?? '', /unset NOFEAR_X_UNTRUSTED/);
    const none = xAccessCheck({ ok: false, why: 'this X server has no SECURITY extension' });
    assert.equal(none.status, 'WARN');
    assert.match(
      none.detail,
      /cannot refuse the Xpra client XTEST input into other windows, GetImage of them and of the screen, and keyboard grabs: this X server has no SECURITY extension, and NoFear's relay does not filter X requests/,
    );
    assert.match(none.fix ?? '', /Xorg session .*XWayland has none/);
    assert.match(xAccessCheck({ ok: false, why: 'python3-xlib is not installed' }).fix ?? '', /install -y python3-xlib/);
  });
});
