// doctor says what the program will do: the same accelerator decision (NOFEAR_ACCEL, [vm] accel, the
// probe), a forced KVM checked, this machine's measured times, and what opens each kind of file.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { doctorAccel } from '../../../src/cli/doctor.js';
import { formatOpens, OPENED_TYPES, whatOpensWhat } from '../../../src/cli/doctor-opens.js';
import { MAIL_TYPES, RISKY_TYPES } from '../../../src/integrate/types.js';
import { parseCommandLine } from '../../../src/cli/grammar.js';
import { NOFEARCTL_SPEC } from '../../../src/cli/spec-nofearctl.js';
import { decideAccel } from '../../../src/vm/accel.js';
import { usualMs, withMeasurement, parseTimings } from '../../../src/vm/timings.js';

describe('doctor tells the truth', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'nofear-doctor-'));
    env = {
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, 'config'),
      XDG_CACHE_HOME: path.join(home, 'cache'),
      XDG_DATA_HOME: path.join(home, 'data'),
      XDG_DATA_DIRS: '/nonexistent',
      PATH: '/usr/bin:/bin',
    };
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));
  const config = (text: string) => {
    mkdirSync(path.join(home, 'config', 'nofear'), { recursive: true });
    writeFileSync(path.join(home, 'config', 'nofear', 'config.ini'), text);
  };

  it('reads [vm] accel from config.ini as the VMs do, and fails a forced KVM with no /dev/kvm, naming how to unforce it', () => {
    config('[vm]\naccel = kvm\n');
    const noKvm = { ...env, NOFEAR_KVM_DEVICE: path.join(home, 'no-kvm') };
    assert.equal(decideAccel(noKvm, 'kvm').from, 'config');
    const line = doctorAccel(noKvm);
    assert.equal(line.status, 'FAIL');
    assert.match(line.detail, /^KVM is forced \(accel = kvm in config\.ini\) but .*missing: no VM can boot/);
    assert.match(line.fix ?? '', /accel = auto in \[vm\] of .*config\.ini/);
  });

  it('fails NOFEAR_ACCEL=kvm where /dev/kvm is missing, and says unset NOFEAR_ACCEL', () => {
    const line = doctorAccel({ ...env, NOFEAR_ACCEL: 'kvm', NOFEAR_KVM_DEVICE: path.join(home, 'no-kvm') });
    assert.equal(line.status, 'FAIL');
    assert.match(line.detail, /NOFEAR_ACCEL=kvm/);
    assert.match(line.fix ?? '', /^unset NOFEAR_ACCEL/);
    assert.equal(doctorAccel({ ...env, NOFEAR_ACCEL: 'tcg' }).status, 'OK');
  });

  it("quotes this machine's measured times from the cache, and no fixed figures before there are any", () => {
    const noKvm = { ...env, NOFEAR_ACCEL: 'tcg' };
    assert.match(doctorAccel(noKvm).detail, /no TCG times measured on this machine yet/);
    assert.doesNotMatch(doctorAccel(noKvm).detail, /~\d/);
    let timings = {};
    for (const ms of [2000, 3000, 2500]) timings = withMeasurement(timings, 'tcg', 'boot', ms);
    timings = withMeasurement(timings, 'tcg', 'window', 9000);
    mkdirSync(path.join(home, 'cache', 'nofear'), { recursive: true });
    writeFileSync(path.join(home, 'cache', 'nofear', 'timings.json'), JSON.stringify(timings));
    assert.match(doctorAccel(noKvm).detail, /a VM boots in 2\.5 s here under TCG \(median of the last 3 runs\)$/);
  });

  it('keeps the last nine figures, takes their median, and ignores a damaged cache', () => {
    let timings = {};
    for (let i = 1; i <= 12; i++) timings = withMeasurement(timings, 'kvm', 'window', i * 1000);
    assert.deepEqual(usualMs(timings, 'kvm', 'window'), { ms: 8000, runs: 9 });
    assert.equal(usualMs(withMeasurement({}, 'tcg', 'boot', 1), 'tcg', 'boot'), undefined);
    assert.deepEqual(parseTimings('{"tcg":{"boot":["x",-1,5]}}'), { tcg: { boot: [5] } });
    assert.deepEqual(parseTimings('not json'), {});
  });

  it('lists what opens each risky type, or the Debian and Fedora package to install', async () => {
    const apps = path.join(home, 'data', 'applications');
    mkdirSync(apps, { recursive: true });
    writeFileSync(path.join(apps, 'test-viewer.desktop'), '[Desktop Entry]\nType=Application\nName=Test Viewer\nExec=/bin/true %f\nMimeType=application/pdf;\n');
    config('');
    writeFileSync(path.join(home, 'config', 'mimeapps.list'), '[Default Applications]\napplication/pdf=test-viewer.desktop\n');
    const rows = await whatOpensWhat(env);
    assert.deepEqual(rows.find((r) => r.mime === 'application/pdf')?.viewer, { id: 'test-viewer.desktop', name: 'Test Viewer' });
    const video = rows.find((r) => r.mime === 'video/mp4');
    assert.equal(video?.viewer, null);
    assert.match(formatOpens(rows), /MP4 video +nothing: install one \(Debian: totem; Fedora: totem\)/);
    // No mail application here: a message opens in NoFear's own view, never "nothing".
    assert.match(formatOpens(rows), /e-mail message +NoFear's message view \(nofear-message-view\)/);
    // Plain text is no risky default, but nofear-open opens it (in a terminal viewer when nothing else does).
    for (const type of OPENED_TYPES) assert.ok([...RISKY_TYPES, ...MAIL_TYPES, 'text/plain'].includes(type.mime), `${type.mime} is a type NoFear handles`);
  });

  it("covers office, mail (.eml, .mbox, .msg), text and web pages: NoFear's own views where nothing else opens them, else the package", async () => {
    const covered = OPENED_TYPES.map((type) => type.mime);
    for (const mime of [
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/msword',
      'application/vnd.oasis.opendocument.text',
      'application/rtf',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.ms-excel',
      'application/vnd.oasis.opendocument.spreadsheet',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
      'application/vnd.ms-powerpoint',
      'application/vnd.oasis.opendocument.presentation',
      ...MAIL_TYPES,
      'text/plain',
      'text/html',
    ]) {
      assert.ok(covered.includes(mime), `doctor lists ${mime}`);
    }
    config('');
    const tools = { xterm: '/usr/bin/xterm', less: '/usr/bin/less', msgconvert: '/usr/bin/msgconvert' };
    const withTools = formatOpens(await whatOpensWhat(env, OPENED_TYPES, (tool) => tools[tool as keyof typeof tools]));
    assert.match(withTools, /text file +a terminal \(xterm, less\) \(nofear:xterm-less\)/);
    assert.match(withTools, /mailbox \(\.mbox\) +NoFear's message view \(nofear-message-view\)/);
    assert.match(withTools, /Outlook message \(\.msg\) +NoFear's message view \(nofear-message-view\)/);
    assert.match(withTools, /Excel 97 spreadsheet +nothing: install one \(Debian: libreoffice-calc; Fedora: libreoffice-calc\)/);
    // A page is text to shared-mime-info: with no browser, nofear-open shows its source in the terminal viewer, and doctor says so.
    assert.match(withTools, /web page +a terminal \(xterm, less\)/);
    const bare = formatOpens(await whatOpensWhat(env, OPENED_TYPES, () => undefined));
    assert.match(bare, /text file +nothing: install one \(Debian: xterm; Fedora: xterm\)/);
    assert.match(bare, /Outlook message \(\.msg\) +nothing: install one \(Debian: libemail-outlook-message-perl libemail-address-perl; Fedora: perl-Email-Outlook-Message\)/);
    assert.match(bare, /web page +nothing: install one \(Debian: firefox-esr; Fedora: firefox\)/);
    assert.match(bare, /mailbox \(\.mbox\) +NoFear's message view/, 'an mbox needs nothing but the view');
  });

  it('takes --json like ps and integrate status', () => {
    const parsed = parseCommandLine(NOFEARCTL_SPEC, ['doctor', '--json']);
    assert.equal(parsed.kind === 'run' && parsed.values.json, true);
  });
});
