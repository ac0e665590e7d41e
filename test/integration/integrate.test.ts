// `nofearctl integrate`: the shipped files pass their validators, and install → status → uninstall in a
// throwaway HOME sets and records defaults (GLib agrees, asked through `gio mime`), keeps the user's
// mimeapps.list and uca.xml, and leaves no trace.
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { systemThumbnailers } from '../../src/integrate/thumbnailers.js';
import { KeyFile } from '../../src/desktop/keyfile.js';
import { MAIL_ATTACHMENT_TYPES, RISKY_TYPES, NOFEAR_DESKTOP_ID } from '../../src/integrate/types.js';
import { SHIPPED_FILES } from '../../src/integrate/files.js';
import type { IntegrationState } from '../../src/integrate/state.js';
import { ROOT } from '../helpers/cli.js';
import { makeTree, type Tree } from '../helpers/integration-tree.js';
import { startPrivateBus } from '../helpers/private-bus.js';

const shipped = (relative: string) => path.join(ROOT, relative);

async function validate(file: string): Promise<string> {
  const result = await execa('desktop-file-validate', [file], { reject: false });
  assert.equal(result.exitCode, 0, `desktop-file-validate ${file}:\n${result.stdout}${result.stderr}`);
  return `${result.stdout}${result.stderr}`;
}

function readState(tree: Tree): IntegrationState {
  return JSON.parse(readFileSync(tree.stateFile, 'utf8')) as IntegrationState;
}

async function ok(tree: Tree, ...args: string[]): Promise<string> {
  const result = await tree.nofearctl(...args);
  assert.equal(result.exitCode, 0, `nofearctl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

const USER_MIMEAPPS = `# Written by hand: my own choices.
[Default Applications]
application/pdf=mupdf.desktop
text/plain=vim.desktop;gedit.desktop;

[Added Associations]
text/plain=vim.desktop;

# keep this comment
[Removed Associations]
image/png=display-im6.q16.desktop;
`;

describe('desktop integration: shipped files', () => {
  it('the desktop entry passes desktop-file-validate, is DBusActivatable under the bus name and lists the risky types', async () => {
    const file = shipped('desktop-entries/org.nofear.NoFear.desktop');
    await validate(file);
    const entry = KeyFile.parse(readFileSync(file, 'utf8'));
    assert.equal(path.basename(file), `${'org.nofear.NoFear'}.desktop`);
    assert.equal(entry.getBoolean('Desktop Entry', 'DBusActivatable'), true);
    assert.equal(entry.getString('Desktop Entry', 'Exec'), 'nofear-open %U');
    assert.equal(entry.getString('Desktop Entry', 'Icon'), 'org.nofear.NoFear');
    assert.deepEqual(entry.getList('Desktop Entry', 'MimeType'), [...RISKY_TYPES]);
    for (const group of ['PDF', 'vnd.oasis.opendocument.text', 'wordprocessingml', 'msword', 'rtf', 'epub', 'text/html', 'svg', 'image/png', 'zip', 'audio/', 'video/']) {
      assert.ok(
        RISKY_TYPES.some((type) => type.toLowerCase().includes(group.toLowerCase())),
        `no risky type for ${group}`,
      );
    }
    for (const action of entry.getList('Desktop Entry', 'Actions') ?? []) {
      assert.ok(entry.getString(`Desktop Action ${action}`, 'Exec')?.startsWith('nofearctl '), action);
    }
  });

  for (const [file, name, exec] of [
    ['nofear.nemo_action', 'Open in NoFear', /^nofear-open %F$/],
    ['nofear-edit.nemo_action', 'Edit in NoFear', /^nofear-open --edit %F$/],
    ['nofear-convert.nemo_action', 'Convert to a safe PDF with NoFear', /^nofear-open --convert %F$/],
    ['nofear-trust.nemo_action', 'Trust this file', /^nofearctl trust --notify %f$/],
  ] as const) {
    it(`the Nemo action ${file} (${name}) follows Nemo's own rules (desktop-file-validate does not know the format)`, () => {
      const action = KeyFile.parse(readFileSync(shipped(`nautilus/${file}`), 'utf8'));
      const g = 'Nemo Action';
      assert.deepEqual(action.groups(), [g]);
      assert.equal(action.getString(g, 'Name'), name);
      assert.match(action.getString(g, 'Exec') ?? '', exec);
      assert.ok(['s', 'm', 'any', 'notnone'].includes(action.getString(g, 'Selection') ?? ''), 'Selection must allow files');
      // Files only: Nemo's Extensions list with `nodirs` (never `dir`, never `any`).
      assert.deepEqual(action.getList(g, 'Extensions'), ['nodirs']);
      assert.equal(action.getString(g, 'Quote'), 'double');
      assert.equal(action.getBoolean(g, 'Active'), true);
    });
  }

  it("the Dolphin service menu follows KDE's rules: Type=Service, files only, every action defined", () => {
    const menu = KeyFile.parse(readFileSync(shipped('nautilus/nofear-dolphin.desktop'), 'utf8'));
    const g = 'Desktop Entry';
    assert.equal(menu.getString(g, 'Type'), 'Service');
    assert.deepEqual(menu.getList(g, 'MimeType'), ['all/allfiles']); // all/all would include directories
    assert.equal(menu.getString(g, 'X-KDE-ServiceTypes'), 'KonqPopupMenu/Plugin');
    const actions = menu.getList(g, 'Actions') ?? [];
    assert.deepEqual(
      actions.map((action) => menu.getString(`Desktop Action ${action}`, 'Name')),
      ['Open in NoFear', 'Edit in NoFear', 'Convert to a safe PDF with NoFear', 'Trust this file'],
    );
    for (const action of actions) {
      assert.match(menu.getString(`Desktop Action ${action}`, 'Exec') ?? '', /^(nofear-open (--edit |--convert )?%F|nofearctl trust --notify %f)$/);
    }
  });

  it('the D-Bus service file and the unit name the bus and the service command', () => {
    const service = KeyFile.parse(readFileSync(shipped('desktop-entries/org.nofear.NoFear.service'), 'utf8'));
    assert.equal(service.getString('D-BUS Service', 'Name'), 'org.nofear.NoFear');
    assert.equal(service.getString('D-BUS Service', 'Exec'), '@NOFEARCTL@ service --activated');
    assert.equal(service.getString('D-BUS Service', 'SystemdService'), 'nofear.service');
    const unit = KeyFile.parse(readFileSync(shipped('desktop-entries/nofear.service'), 'utf8'));
    assert.equal(unit.getString('Service', 'BusName'), 'org.nofear.NoFear');
    assert.equal(unit.getString('Service', 'Type'), 'dbus');
  });
});

describe('desktop integration: install, status, uninstall', function () {
  this.timeout(180_000);
  let tree: Tree;
  beforeEach(() => {
    tree = makeTree();
  });
  afterEach(() => tree.cleanup());

  it("round trip: defaults set and recorded, GLib agrees, the user's mimeapps.list comes back byte for byte", async () => {
    mkdirSync(tree.configHome, { recursive: true });
    const mimeapps = path.join(tree.configHome, 'mimeapps.list');
    writeFileSync(mimeapps, USER_MIMEAPPS);
    const pngBefore = await tree.gioDefault('image/png');
    assert.equal(await tree.gioDefault('application/pdf'), 'mupdf.desktop');
    const before = tree.listing();

    const installed = await ok(tree, 'integrate', 'install', '--default-for', 'application/pdf', 'image/png');
    assert.match(installed, /default for 2 more types/);

    // GLib (as Nautilus and `gio open` use it) now opens both with NoFear.
    assert.equal(await tree.gioDefault('application/pdf'), NOFEAR_DESKTOP_ID);
    assert.equal(await tree.gioDefault('image/png'), NOFEAR_DESKTOP_ID);
    const edited = readFileSync(mimeapps, 'utf8');
    assert.match(edited, /^application\/pdf=org\.nofear\.NoFear\.desktop;mupdf\.desktop$/m);
    assert.match(edited, /^text\/plain=vim\.desktop;gedit\.desktop;$/m);
    assert.match(edited, /^# keep this comment$/m);
    assert.match(edited, /^\[Removed Associations\]\nimage\/png=display-im6\.q16\.desktop;$/m);

    const state = readState(tree);
    assert.deepEqual(state.types, ['application/pdf', 'image/png']);
    assert.equal(state.previousDefaults['application/pdf'], 'mupdf.desktop');
    // The user's [Removed Associations] leaves GLib no default for PNG: none is recorded either.
    assert.equal(state.previousDefaults['image/png'], pngBefore, 'the recorded default is the one GLib used');
    assert.equal(state.mimeapps?.before, Buffer.from(USER_MIMEAPPS).toString('base64'));
    assert.equal(state.files.filter((file) => file.role !== 'thumbnailer').length, SHIPPED_FILES.length);
    // One thumbnail guard per system thumbnailer (test/integration/thumbnail-guard.test.ts runs them).
    assert.equal(state.files.filter((file) => file.role === 'thumbnailer').length, (await systemThumbnailers(tree.env)).length);

    // The installed entry names the launcher by absolute (quoted) path and still validates.
    const entryPath = path.join(tree.dataHome, 'applications', NOFEAR_DESKTOP_ID);
    await validate(entryPath);
    const entry = KeyFile.parse(readFileSync(entryPath, 'utf8'));
    assert.equal(entry.getString('Desktop Entry', 'Exec'), `"${path.join(tree.bin, 'nofear-open')}" %U`);
    assert.equal(entry.getString('Desktop Action stop-all', 'Exec'), `"${path.join(tree.bin, 'nofearctl')}" stop --all`);
    assert.deepEqual(entry.getList('Desktop Entry', 'MimeType'), ['application/pdf', 'image/png'], 'only the types NoFear owns');
    assert.ok(existsSync(path.join(tree.dataHome, 'applications', 'mimeinfo.cache')), 'update-desktop-database ran');
    assert.ok(existsSync(path.join(tree.dataHome, 'icons', 'hicolor', 'scalable', 'apps', 'org.nofear.NoFear.svg')));

    const status = await ok(tree, 'integrate', 'status');
    assert.match(status, /application\/pdf {2}NoFear \(before: mupdf\.desktop\)/);
    assert.match(status, /default for 2 of 2 chosen types/);
    const json = JSON.parse(await ok(tree, 'integrate', 'status', '--json')) as { installed: boolean; files: Array<{ health: string }>; types: Array<{ owned: boolean }> };
    assert.equal(json.installed, true);
    assert.ok(json.files.every((f) => f.health === 'ok'));
    assert.ok(json.types.every((t) => t.owned));

    const removed = await ok(tree, 'integrate', 'uninstall');
    assert.match(removed, /restored byte for byte/);
    assert.equal(readFileSync(mimeapps, 'utf8'), USER_MIMEAPPS);
    assert.deepEqual(tree.listing(), before, 'no file or directory left behind');
    assert.equal(await tree.gioDefault('application/pdf'), 'mupdf.desktop');
    assert.equal(await tree.gioDefault('image/png'), pngBefore);
    assert.match(await ok(tree, 'integrate', 'status'), /not installed/);
  });

  it("a mimeapps.list changed after install keeps the user's changes and comments; only NoFear's entries go", async () => {
    mkdirSync(tree.configHome, { recursive: true });
    const mimeapps = path.join(tree.configHome, 'mimeapps.list');
    writeFileSync(mimeapps, USER_MIMEAPPS);
    await ok(tree, 'integrate', 'install', '--default-for', 'application/pdf', 'text/x-python');
    // The user (or another program) edits the file meanwhile.
    const userEdit = (text: string) => text.replace('text/plain=vim.desktop;gedit.desktop;', 'text/plain=gedit.desktop;') + '# added after NoFear\n';
    writeFileSync(mimeapps, userEdit(readFileSync(mimeapps, 'utf8')));
    const removed = await ok(tree, 'integrate', 'uninstall');
    assert.match(removed, /NoFear's entries removed, yours kept/);
    assert.equal(readFileSync(mimeapps, 'utf8'), userEdit(USER_MIMEAPPS));
    assert.equal(await tree.gioDefault('application/pdf'), 'mupdf.desktop');
  });

  it('--risky makes NoFear the default for every risky type; a second install keeps the first recorded defaults; no mimeapps.list before means none after', async () => {
    const before = tree.listing();
    const glibBefore = { pdf: await tree.gioDefault('application/pdf'), png: await tree.gioDefault('image/png') };
    assert.ok(glibBefore.pdf !== undefined && glibBefore.png !== undefined, 'this machine has a PDF and a PNG viewer (make deps)');
    await ok(tree, 'integrate', 'install', '--default-for', 'application/pdf');
    const first = readState(tree);
    assert.equal(first.previousDefaults['application/pdf'], glibBefore.pdf, 'the recorded default is the one GLib used');
    await ok(tree, 'integrate', 'install', '--risky');
    const second = readState(tree);
    assert.equal(second.types.length, RISKY_TYPES.length);
    assert.equal(second.previousDefaults['application/pdf'], first.previousDefaults['application/pdf']);
    assert.equal(second.previousDefaults['image/png'], glibBefore.png);
    assert.equal(second.mimeapps?.existedBefore, false);
    for (const type of ['application/pdf', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'image/svg+xml', 'application/zip', 'video/mp4']) {
      assert.equal(await tree.gioDefault(type), NOFEAR_DESKTOP_ID, type);
    }
    await ok(tree, 'integrate', 'uninstall');
    assert.deepEqual(tree.listing(), before);
  });

  it('--mail makes NoFear the default for attachments and messages, prints what it changed, status shows it, uninstall restores byte for byte', async () => {
    mkdirSync(tree.configHome, { recursive: true });
    const mimeapps = path.join(tree.configHome, 'mimeapps.list');
    writeFileSync(mimeapps, USER_MIMEAPPS);
    const before = tree.listing();
    const glibBefore = await Promise.all(MAIL_ATTACHMENT_TYPES.map((type) => tree.gioDefault(type)));
    const installed = await ok(tree, 'integrate', 'install', '--mail');
    assert.match(installed, new RegExp(`default for ${MAIL_ATTACHMENT_TYPES.length} more types`));
    assert.match(installed, /^ {2}application\/pdf: mupdf\.desktop -> org\.nofear\.NoFear\.desktop$/m);
    assert.match(installed, /^ {2}message\/rfc822: (no default|\S+\.desktop) -> org\.nofear\.NoFear\.desktop$/m);
    for (const type of ['application/pdf', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'image/png', 'application/zip', 'message/rfc822', 'application/mbox']) {
      assert.equal(await tree.gioDefault(type), NOFEAR_DESKTOP_ID, type);
    }
    assert.notEqual(await tree.gioDefault('video/mp4'), NOFEAR_DESKTOP_ID, 'video is --risky, not --mail');
    const status = await ok(tree, 'integrate', 'status');
    assert.match(status, new RegExp(`default for ${MAIL_ATTACHMENT_TYPES.length} of ${MAIL_ATTACHMENT_TYPES.length} chosen types`));
    assert.match(status, /message\/rfc822 {2}NoFear/);
    assert.match(await ok(tree, 'integrate', 'uninstall'), /restored byte for byte/);
    assert.equal(readFileSync(mimeapps, 'utf8'), USER_MIMEAPPS);
    assert.deepEqual(tree.listing(), before, 'no file or directory left behind');
    assert.deepEqual(await Promise.all(MAIL_ATTACHMENT_TYPES.map((type) => tree.gioDefault(type))), glibBefore, 'every type back to what GLib used before');
  });

  it('a plain install changes no default: GLib opens every risky type with what it used before', async () => {
    // The user's applications dir comes first in GLib's search, so an entry there declaring a type would
    // become its default wherever no mimeapps.list names one; the installed entry declares only owned types.
    const before = await Promise.all(RISKY_TYPES.map((type) => tree.gioDefault(type)));
    await ok(tree, 'integrate', 'install');
    const after = await Promise.all(RISKY_TYPES.map((type) => tree.gioDefault(type)));
    assert.deepEqual(after, before);
    assert.ok(!after.includes(NOFEAR_DESKTOP_ID));
    await validate(path.join(tree.dataHome, 'applications', NOFEAR_DESKTOP_ID));
    assert.equal(existsSync(path.join(tree.configHome, 'mimeapps.list')), false, 'mimeapps.list untouched');
  });

  it('refuses a type that is not a MIME type, and names the fix', async () => {
    const result = await tree.nofearctl('integrate', 'install', '--default-for', 'pdf');
    assert.equal(result.exitCode, 125);
    assert.match(result.stderr, /"pdf" is not a MIME type\..*Fix: .*application\/pdf/);
  });

  it('refuses to install without launchers, and says to run make install', async () => {
    const result = await execa(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'nofearctl.ts'), 'integrate', 'install'], {
      cwd: ROOT,
      env: { ...tree.env, NOFEAR_BIN_DIR: path.join(tree.top, 'nowhere') },
      extendEnv: false,
      reject: false,
    });
    assert.equal(result.exitCode, 125);
    assert.match(result.stderr, /No nofear-open and nofearctl launchers found.*make install/);
    assert.equal(existsSync(tree.stateFile), false);
  });

  it("Thunar: NoFear's action joins the user's uca.xml without losing theirs, and leaves again", async () => {
    const uca = path.join(tree.configHome, 'Thunar', 'uca.xml');
    mkdirSync(path.dirname(uca), { recursive: true });
    const user = `<?xml version="1.0" encoding="UTF-8"?>
<actions>
<action>
\t<icon>utilities-terminal</icon>
\t<name>Open Terminal Here</name>
\t<unique-id>1589888888888888-1</unique-id>
\t<command>exo-open --working-directory %f --launch TerminalEmulator</command>
\t<directories/>
</action>
<action>
\t<name>Checksum &amp; more</name>
\t<unique-id>1589888888888888-2</unique-id>
\t<command>sha256sum %F</command>
\t<other-files/>
</action>
</actions>
`;
    writeFileSync(uca, user);
    await ok(tree, 'integrate', 'install');
    await ok(tree, 'integrate', 'install'); // twice: still one NoFear action
    const merged = readFileSync(uca, 'utf8');
    for (const id of ['open', 'edit', 'convert', 'trust']) assert.equal(merged.split(`<unique-id>org.nofear.NoFear.${id}</unique-id>`).length, 2, id);
    assert.ok(merged.startsWith(user.slice(0, user.lastIndexOf('</actions>'))), "the user's actions stay first, unchanged");
    assert.ok(merged.includes(`<command>&quot;${path.join(tree.bin, 'nofear-open')}&quot; %F</command>`));
    assert.ok(merged.includes(`<command>&quot;${path.join(tree.bin, 'nofear-open')}&quot; --edit %F</command>`));
    assert.ok(merged.includes(`<command>&quot;${path.join(tree.bin, 'nofear-open')}&quot; --convert %F</command>`));
    assert.ok(merged.includes(`<command>&quot;${path.join(tree.bin, 'nofearctl')}&quot; trust --notify %f</command>`));
    // Still well-formed XML (Thunar reads it with GMarkup, which is no more lenient).
    await execa('/usr/bin/python3', ['-c', 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])', uca]);
    await ok(tree, 'integrate', 'uninstall');
    assert.equal(readFileSync(uca, 'utf8'), user);

    // Edited in between (Thunar rewrites it when the user adds an action): only NoFear's action goes.
    await ok(tree, 'integrate', 'install');
    const added = '<action>\n\t<name>Later</name>\n\t<unique-id>3</unique-id>\n\t<command>true</command>\n</action>\n';
    writeFileSync(uca, readFileSync(uca, 'utf8').replace('</actions>', `${added}</actions>`));
    await ok(tree, 'integrate', 'uninstall');
    assert.equal(readFileSync(uca, 'utf8'), user.replace('</actions>', `${added}</actions>`));
  });

  it("installed copies: the Nemo action and Dolphin menu name the launcher, Dolphin's is executable, the unit verifies", async () => {
    await ok(tree, 'integrate', 'install');
    const open = path.join(tree.bin, 'nofear-open');
    const nemo = KeyFile.parse(readFileSync(path.join(tree.dataHome, 'nemo', 'actions', 'nofear.nemo_action'), 'utf8'));
    assert.equal(nemo.getString('Nemo Action', 'Exec'), `"${open}" %F`);
    const nemoEdit = KeyFile.parse(readFileSync(path.join(tree.dataHome, 'nemo', 'actions', 'nofear-edit.nemo_action'), 'utf8'));
    assert.equal(nemoEdit.getString('Nemo Action', 'Exec'), `"${open}" --edit %F`);
    const nemoConvert = KeyFile.parse(readFileSync(path.join(tree.dataHome, 'nemo', 'actions', 'nofear-convert.nemo_action'), 'utf8'));
    assert.equal(nemoConvert.getString('Nemo Action', 'Exec'), `"${open}" --convert %F`);
    const nemoTrust = KeyFile.parse(readFileSync(path.join(tree.dataHome, 'nemo', 'actions', 'nofear-trust.nemo_action'), 'utf8'));
    assert.equal(nemoTrust.getString('Nemo Action', 'Exec'), `"${path.join(tree.bin, 'nofearctl')}" trust --notify %f`);
    assert.equal(nemoTrust.getString('Nemo Action', 'Selection'), 's', 'trust is offered for one file at a time');
    const dolphinPath = path.join(tree.dataHome, 'kio', 'servicemenus', 'nofear.desktop');
    const dolphin = KeyFile.parse(readFileSync(dolphinPath, 'utf8'));
    assert.equal(dolphin.getString('Desktop Action openInNoFear', 'Exec'), `"${open}" %F`);
    assert.equal(dolphin.getString('Desktop Action editInNoFear', 'Exec'), `"${open}" --edit %F`);
    assert.equal(dolphin.getString('Desktop Action convertWithNoFear', 'Exec'), `"${open}" --convert %F`);
    assert.equal(dolphin.getString('Desktop Action trustWithNoFear', 'Exec'), `"${path.join(tree.bin, 'nofearctl')}" trust --notify %f`);
    const { mode } = await import('node:fs').then((fs) => fs.statSync(dolphinPath));
    assert.equal(mode & 0o777, 0o755);
    for (const ext of ['nautilus-python/extensions/nofear_nautilus.py', 'caja-python/extensions/nofear_caja.py']) {
      const nofearctl = `"${path.join(tree.bin, 'nofearctl')}"`; // the Exec word, inside the extension's Python string
      assert.equal(
        readFileSync(path.join(tree.dataHome, ext), 'utf8'),
        readFileSync(shipped('nautilus/nofear_nautilus.py'), 'utf8').replace("NOFEARCTL = '@NOFEARCTL@'", `NOFEARCTL = '${nofearctl}'`),
      );
    }
    const unit = path.join(tree.configHome, 'systemd', 'user', 'nofear.service');
    assert.match(readFileSync(unit, 'utf8'), new RegExp(`^ExecStart="${path.join(tree.bin, 'nofearctl')}" service --activated$`, 'm'));
    const verify = await execa('systemd-analyze', ['verify', unit], { reject: false, timeout: 60_000 });
    assert.equal(verify.exitCode, 0, `${verify.stdout}${verify.stderr}`);
  });

  it('install enables the user unit with the desktop session (graphical-session.target.wants), --by-origin also at login (default.target); systemctl --user says enabled without a user manager; uninstall takes both back', async () => {
    const wants = (target: string) => path.join(tree.configHome, 'systemd', 'user', `${target}.wants`, 'nofear.service');
    const unit = path.join(tree.configHome, 'systemd', 'user', 'nofear.service');
    // No user manager on a test machine: systemctl and systemd-analyze read the unit files and their links
    // themselves (a private runtime dir, no bus), as the manager would at login.
    const runtime = path.join(tree.top, 'systemd-runtime');
    mkdirSync(runtime, { recursive: true, mode: 0o700 });
    const systemdEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tree.home, XDG_CONFIG_HOME: tree.configHome, XDG_RUNTIME_DIR: runtime };
    const systemd = (command: string, ...args: string[]) => execa(command, ['--user', ...args], { env: systemdEnv, extendEnv: false, reject: false, timeout: 60_000 });
    assert.match(await ok(tree, 'integrate', 'install'), /the service starts with your desktop session/);
    assert.equal(realpathSync(wants('graphical-session.target')), unit);
    assert.equal(existsSync(wants('default.target')), false, 'a plain install wants it with the desktop session only');
    assert.equal((await systemd('systemctl', 'is-enabled', 'nofear.service')).stdout.trim(), 'enabled');
    const verify = await systemd('systemd-analyze', 'verify', 'nofear.service');
    assert.equal(verify.exitCode, 0, `${verify.stdout}${verify.stderr}`);
    assert.match(readFileSync(unit, 'utf8'), /^PartOf=graphical-session\.target$/m, 'it stops with the session whose display its VMs use');
    const said = await ok(tree, 'integrate', 'install', '--by-origin');
    assert.match(said, /the service starts at login/);
    assert.equal(realpathSync(wants('default.target')), unit);
    assert.equal(realpathSync(wants('graphical-session.target')), unit);
    assert.match(readFileSync(wants('default.target'), 'utf8'), /^Type=dbus$/m);
    assert.match(await ok(tree, 'integrate', 'uninstall'), /and the start at login/);
    for (const target of ['default.target', 'graphical-session.target']) {
      assert.equal(existsSync(wants(target)), false, target);
      assert.equal(existsSync(path.dirname(wants(target))), false, `the ${target}.wants folder NoFear made is gone too`);
    }
  });

  it('the installed D-Bus service file makes org.nofear.NoFear activatable on a session bus', async () => {
    await ok(tree, 'integrate', 'install');
    const service = readFileSync(path.join(tree.dataHome, 'dbus-1', 'services', 'org.nofear.NoFear.service'), 'utf8');
    assert.match(service, new RegExp(`^Exec="${path.join(tree.bin, 'nofearctl')}" service --activated$`, 'm'));
    // dbus-daemon reads $XDG_DATA_HOME/dbus-1/services when it starts.
    const bus = await startPrivateBus(tree.top, { XDG_DATA_HOME: tree.dataHome, HOME: tree.home });
    try {
      const names = await execa('dbus-send', ['--bus=' + bus.address, '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.ListActivatableNames'], {
        timeout: 10_000,
      });
      assert.match(names.stdout, /"org\.nofear\.NoFear"/);
    } finally {
      await bus.stop();
    }
  });
});
