// The service's request handlers (src/service/daemon/requests.ts) with no bus and no VM: what reaches the sandbox
// manager (a recording stand-in; the real one is test/unit/sandbox/manager.test.ts's), what is refused and
// how, on real files in a private XDG tree (the host's shared-mime-info, a viewer of its own).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultConfig, type Config } from '../../../src/config/index.js';
import { isNoFearError } from '../../../src/errors.js';
import type { ManagedSandbox } from '../../../src/sandbox/manager.js';
import type { Notice } from '../../../src/service/bus/notifications.js';
import type { ServiceSpec } from '../../../src/service/daemon/request-parts.js';
import { requestHandlers, type RequestContext } from '../../../src/service/daemon/requests.js';
import { LinkDownloads } from '../../../src/edit/link-downloads.js';

const VIEWER = `[Desktop Entry]
Type=Application
Name=Test Viewer
Exec=/usr/bin/true %f
MimeType=application/pdf;
`;
const BROWSER = `[Desktop Entry]
Type=Application
Name=Test Browser
Exec=/usr/bin/true %u
MimeType=x-scheme-handler/https;
`;

const variant = (value: string | boolean) => ({ signature: typeof value === 'string' ? 's' : 'b', value });

const fails = (code: string, message: RegExp) => (error: unknown) => isNoFearError(error) && error.code === code && message.test(error.message);

describe("the service's request handlers (no bus, a stand-in manager)", () => {
  let home: string;
  let started: ServiceSpec[];
  let shown: Notice[];
  let stopped: string[];
  let live: ManagedSandbox[];
  let config: Config;
  let handlers: ReturnType<typeof requestHandlers>;
  let onAction: ((id: number, action: string) => void) | undefined;
  let answer: string;

  // [links] reuse_seconds: a link VM lives on (its `ended` never settles) and says whether its guest started the browser again.
  let linkVmsLive: boolean;
  let guestStartsBrowser: boolean;
  let launches: { id: string; argv: string[] }[];
  const sandbox = (id: string, files: string[], command: string[] = []): ManagedSandbox =>
    ({
      id,
      files,
      command,
      state: 'running',
      ended: linkVmsLive ? new Promise(() => {}) : Promise.resolve(),
      launchBeside: async (argv: readonly string[]) => {
        launches.push({ id, argv: [...argv] });
        return guestStartsBrowser;
      },
      noteLink: async () => {},
    }) as unknown as ManagedSandbox; // the handlers read only these

  beforeEach(() => {
    home = mkdtempSync(path.join(tmpdir(), 'nofear-requests-'));
    const data = path.join(home, 'data');
    mkdirSync(path.join(data, 'applications'), { recursive: true });
    symlinkSync('/usr/share/mime', path.join(data, 'mime'));
    writeFileSync(path.join(data, 'applications', 'test-viewer.desktop'), VIEWER);
    writeFileSync(path.join(data, 'applications', 'test-browser.desktop'), BROWSER);
    mkdirSync(path.join(home, 'config'));
    writeFileSync(path.join(home, 'config', 'mimeapps.list'), '[Default Applications]\napplication/pdf=test-viewer.desktop\nx-scheme-handler/https=test-browser.desktop\n');
    mkdirSync(path.join(home, 'run'), { mode: 0o700 });
    const env = {
      HOME: home,
      XDG_DATA_HOME: path.join(home, 'nodata'),
      XDG_DATA_DIRS: data,
      XDG_CONFIG_HOME: path.join(home, 'config'),
      XDG_STATE_HOME: path.join(home, 'state'),
      XDG_CACHE_HOME: path.join(home, 'cache'),
      XDG_RUNTIME_DIR: path.join(home, 'run'),
    };
    started = [];
    linkVmsLive = false;
    guestStartsBrowser = true;
    launches = [];
    shown = [];
    answer = 'discard';
    stopped = [];
    live = [];
    config = defaultConfig();
    const context = {
      env,
      config: () => config,
      log: () => {},
      objectPath: (s: ManagedSandbox) => `/org/nofear/NoFear1/sandbox/${s.id}`,
      notifications: {
        show: async (notice: Notice) => {
          shown.push(notice);
          // A question (a link's downloads) is answered as the test says, as a notification server would.
          if (notice.actions !== undefined) setImmediate(() => onAction?.(shown.length, answer));
          return shown.length;
        },
        onAction: async (listener: (id: number, action: string) => void) => void (onAction = listener),
        offAction: () => (onAction = undefined),
        onClosed: async () => () => {},
        close: async () => {},
      },
      stopPool: async () => {
        stopped.push('pool');
      },
      manager: {
        start: async (spec: ServiceSpec) => {
          started.push(spec);
          const plan = 'plan' in spec ? spec.plan : undefined;
          return sandbox(`s${started.length}`, plan === undefined ? [] : [plan.file], spec.kind === 'run' ? [...spec.argv] : []);
        },
        live: () => live,
        list: () => live,
        waiting: 0,
        stopAll: async () => {
          stopped.push('sandboxes');
        },
      },
    } as unknown as RequestContext; // the manager's other members are not reached by these handlers
    handlers = requestHandlers(context);
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  const pdf = (name: string) => {
    const file = path.join(home, name);
    writeFileSync(file, '%PDF-1.4\n%%EOF\n');
    return file;
  };

  it('OpenFiles starts one sandbox per file that can open, with its viewer and the caller display, and tells the rest', async () => {
    const good = pdf('report.pdf');
    const reply = await handlers.openFiles([good, path.join(home, 'gone.pdf')], { display: variant(':7'), xauthority: variant('/tmp/xauth') });
    assert.deepEqual(reply, ['/org/nofear/NoFear1/sandbox/s1']);
    assert.equal(started.length, 1);
    const spec = started[0];
    assert.ok(spec?.kind === 'open-plan');
    assert.equal(spec.plan.file, good);
    assert.equal(spec.plan.viewer, 'test-viewer.desktop');
    assert.deepEqual(spec.display, { DISPLAY: ':7', XAUTHORITY: '/tmp/xauth' });
    assert.equal(shown.length, 1);
    assert.match(shown[0]?.body ?? '', /gone\.pdf does not exist/);
  });

  it('OpenFiles refuses a relative path, a directory alone and a profile other than temporary before starting anything', async () => {
    await assert.rejects(handlers.openFiles(['report.pdf'], {}), fails('InvalidArgument', /not an absolute path/));
    await assert.rejects(handlers.openFiles([home], {}), fails('InvalidArgument', /is a directory/));
    await assert.rejects(handlers.openFiles([pdf('a.pdf')], { profile: variant('work') }), fails('InvalidArgument', /throwaway VMs only .*"work"/));
    await assert.rejects(handlers.openFiles([pdf('b.pdf')], { colour: variant('red') }), fails('InvalidArgument', /Unknown option "colour"/));
    assert.deepEqual(started, []);
  });

  it('OpenFiles accepts the temporary profile by name', async () => {
    await handlers.openFiles([pdf('c.pdf')], { profile: variant('temporary') });
    assert.equal(started.length, 1);
  });

  it('OpenFiles refuses a file over [open] max_file_size with LimitReached', async () => {
    config = { ...config, open: { ...config.open, maxFileSizeBytes: 4 } };
    await assert.rejects(handlers.openFiles([pdf('big.pdf')], {}), fails('LimitReached', /over the 4-byte limit/));
    assert.deepEqual(started, []);
  });

  it('OpenUris opens an untrusted web address in a VM with the browser, and a file:// URI as the file', async () => {
    const file = pdf('linked.pdf');
    const reply = await handlers.openUris(['https://example.org/x', `file://${file}`], {});
    assert.equal(reply.length, 2);
    const plans = started.map((spec) => (spec.kind === 'open-plan' ? spec.plan : undefined));
    assert.deepEqual(
      plans.map((plan) => [plan?.kind, plan?.file, plan?.viewer]),
      [
        ['url', 'https://example.org/x', 'test-browser.desktop'],
        ['file', file, 'test-viewer.desktop'],
      ],
    );
  });

  it("OpenUris gives a web address's VM a Downloads folder of its own: offered in a notification once the VM is gone, kept only on Keep", async () => {
    await handlers.openUris(['https://example.org/x'], {});
    const edit = started[0]?.kind === 'open-plan' ? started[0].edit : undefined;
    assert.ok(edit?.copy instanceof LinkDownloads, 'the link VM has no Downloads export');
    const exportDir = path.join(home, 'export');
    mkdirSync(exportDir);
    await edit.copy.exportSpec().fill(exportDir);
    writeFileSync(path.join(exportDir, 'paper.pdf'), '%PDF-1.4\n');
    await edit.copy.hold(exportDir); // as when QEMU has exited
    answer = 'keep';
    await edit.afterEnd();
    assert.equal(shown[0]?.summary, 'Keep a file downloaded in NoFear?');
    assert.equal(readFileSync(path.join(home, 'Downloads', 'paper.pdf'), 'utf8'), '%PDF-1.4\n');
    assert.match(shown[1]?.body ?? '', /^kept from the web page's VM in .*\/Downloads, marked as from outside: "paper\.pdf"$/);
  });

  it('with [links] reuse_seconds, a second link goes to the running link VM (the browser started again with it there); with 0, or when the guest does not start it, a VM of its own', async () => {
    linkVmsLive = true;
    config.links.reuseSeconds = 60;
    assert.deepEqual(await handlers.openUris(['https://example.org/one'], { display: variant(':7') }), ['/org/nofear/NoFear1/sandbox/s1']);
    assert.deepEqual(await handlers.openUris(['https://example.org/two'], { display: variant(':7') }), ['/org/nofear/NoFear1/sandbox/s1'], "the second link is the first VM's");
    assert.equal(started.length, 1, 'no second VM');
    assert.deepEqual(launches, [{ id: 's1', argv: ['/usr/bin/true', 'https://example.org/two'] }], "the browser's own command line, the URL one argument");
    // Another display is another shape: a VM of its own.
    assert.deepEqual(await handlers.openUris(['https://example.org/three'], { display: variant(':8') }), ['/org/nofear/NoFear1/sandbox/s2']);
    // Two links in one call: both go to the running VM of their shape, in order.
    assert.deepEqual(await handlers.openUris(['https://example.org/four', 'https://example.org/five'], { display: variant(':8') }), [
      '/org/nofear/NoFear1/sandbox/s2',
      '/org/nofear/NoFear1/sandbox/s2',
    ]);
    guestStartsBrowser = false;
    assert.deepEqual(await handlers.openUris(['https://example.org/six'], { display: variant(':7') }), ['/org/nofear/NoFear1/sandbox/s3'], 'the guest did not start it: a new VM');
    guestStartsBrowser = true;
    assert.deepEqual(await handlers.openUris(['https://example.org/seven'], { display: variant(':7') }), ['/org/nofear/NoFear1/sandbox/s3'], 'the new VM is the one remembered');
    assert.equal(launches.filter((l) => l.id === 's1').length, 2, 's1, which did not take a link, got no more');
    config.links.reuseSeconds = 0;
    assert.deepEqual(await handlers.openUris(['https://example.org/eight'], { display: variant(':7') }), ['/org/nofear/NoFear1/sandbox/s4'], 'reuse_seconds = 0: its own VM');
  });

  it('OpenUris with edit refuses a web address: only files can be edited', async () => {
    await assert.rejects(handlers.openUris(['https://example.org/x'], { edit: variant(true) }), fails('InvalidArgument', /Only files can be edited/));
    assert.deepEqual(started, []);
  });

  it('Run builds the run spec from its options, and refuses a relative shared folder', async () => {
    const objectPath = await handlers.run(['xterm', '-e', 'true'], {
      gui: variant(true),
      net: variant('user'),
      shared_folder: variant('/srv/share'),
      profile: variant('work'),
      display: variant(':3'),
    });
    assert.equal(objectPath, '/org/nofear/NoFear1/sandbox/s1');
    assert.deepEqual(started, [{ kind: 'run', argv: ['xterm', '-e', 'true'], gui: true, net: 'user', sharedFolder: '/srv/share', profile: 'work', display: { DISPLAY: ':3' } }]);
    await assert.rejects(handlers.run(['ls'], { shared_folder: variant('share') }), fails('InvalidArgument', /shared_folder/));
    await handlers.run(['ls'], {});
    assert.deepEqual(started[1], { kind: 'run', argv: ['ls'], gui: false });
  });

  it('the stop-all action stops every sandbox and the warm pool; an unknown action is refused naming the known ones', async () => {
    await handlers.activateAction('stop-all', [], {});
    assert.deepEqual(stopped.sort(), ['pool', 'sandboxes']);
    await assert.rejects(
      Promise.resolve().then(() => handlers.activateAction('reboot', [], {})),
      fails('InvalidArgument', /Unknown action "reboot"; known: stop-all/),
    );
  });

  it('Activate lists the running sandboxes in one notification, with singular and plural, and says when none runs', async () => {
    await handlers.activate({});
    live = [sandbox('a1', ['/home/u/report.pdf'])];
    await handlers.activate({});
    live = [sandbox('a1', ['/home/u/report.pdf']), sandbox('b2', [], ['xterm'])];
    await handlers.activate({});
    assert.deepEqual(
      shown.map((n) => [n.summary, n.body]),
      [
        ['NoFear: 0 sandboxes running', 'Nothing is running. Open a file with “Open in NoFear”.'],
        ['NoFear: 1 sandbox running', 'a1  running  report.pdf'],
        ['NoFear: 2 sandboxes running', 'a1  running  report.pdf\nb2  running  xterm'],
      ],
    );
    assert.deepEqual(handlers.sandboxes(), ['/org/nofear/NoFear1/sandbox/a1', '/org/nofear/NoFear1/sandbox/b2']);
  });
});
