// The Manager's Convert (src/service/daemon/convert-requests.ts) with no bus and no VM: every file checked and
// planned before anything starts, one conversion per file with its notification (unless notify=false),
// web addresses refused. Real files and the host's shared-mime-info in a temporary XDG tree; a recording
// stand-in manager (the real one is test/unit/sandbox/manager.test.ts's).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultConfig } from '../../../src/config/index.js';
import { isNoFearError } from '../../../src/errors.js';
import type { ManagedSandbox } from '../../../src/sandbox/manager.js';
import { convertHandlers } from '../../../src/service/daemon/convert-requests.js';
import type { Notice } from '../../../src/service/bus/notifications.js';
import type { RequestContext, ServiceSpec } from '../../../src/service/daemon/request-parts.js';

const variant = (value: string | boolean | number) => ({ signature: typeof value === 'string' ? 's' : typeof value === 'number' ? 'u' : 'b', value });
const fails = (code: string, message: RegExp) => (error: unknown) => isNoFearError(error) && error.code === code && message.test(error.message);

describe("service/convert-requests: the Manager's Convert", () => {
  let home: string;
  let started: ServiceSpec[];
  let shown: Notice[];
  let heard: Array<(id: number, action: string) => void>;
  let stops: string[];
  let convert: ReturnType<typeof convertHandlers>['convert'];

  beforeEach(() => {
    home = mkdtempSync(path.join(tmpdir(), 'nofear-convert-requests-'));
    const data = path.join(home, 'data');
    mkdirSync(data);
    symlinkSync('/usr/share/mime', path.join(data, 'mime'));
    mkdirSync(path.join(home, 'out'));
    const env = { HOME: home, XDG_DATA_HOME: path.join(home, 'nodata'), XDG_DATA_DIRS: data, XDG_CONFIG_HOME: path.join(home, 'config'), XDG_STATE_HOME: path.join(home, 'state') };
    started = [];
    shown = [];
    heard = [];
    stops = [];
    const config = defaultConfig();
    const context = {
      env,
      config: () => config,
      log: () => {},
      objectPath: (s: ManagedSandbox) => `/org/nofear/NoFear1/sandbox/${s.id}`,
      notifications: {
        show: async (notice: Notice) => {
          shown.push(notice);
          return shown.length;
        },
        onAction: async (listener: (id: number, action: string) => void) => void heard.push(listener),
        offAction: () => {},
      },
      manager: {
        start: async (spec: ServiceSpec) => {
          started.push(spec);
          const file = 'plan' in spec ? spec.plan.file : '';
          const id = `s${started.length}`;
          return { id, files: [file], command: [], ended: Promise.resolve(), stop: async () => void stops.push(id) } as unknown as ManagedSandbox; // the handler reads only these
        },
      },
    } as unknown as RequestContext; // the context's other members are not reached by Convert
    convert = convertHandlers(context).convert;
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  /** The notifications are shown through promise chains: a turn of the event loop lets them run. */
  const waitForNotice = async (count: () => number): Promise<number> => {
    await new Promise(setImmediate);
    assert.ok(count() > 0, 'the progress notification was shown');
    return count();
  };

  const pdf = (name: string) => {
    const file = path.join(home, name);
    writeFileSync(file, '%PDF-1.4\n%%EOF\n');
    return file;
  };

  it('starts one conversion per file, into the output folder, each with its progress notification', async () => {
    const a = pdf('a.pdf');
    const b = pdf('b.pdf');
    const reply = await convert([a, `file://${b}`], { output: variant(path.join(home, 'out')) });
    assert.deepEqual(reply, ['/org/nofear/NoFear1/sandbox/s1', '/org/nofear/NoFear1/sandbox/s2']);
    assert.deepEqual(
      started.map((spec) => (spec.kind === 'convert' ? [spec.plan.file, spec.plan.outputDir, spec.plan.kind, spec.plan.ocr, spec.report !== undefined] : spec.kind)),
      [
        [a, path.join(home, 'out'), 'pdf', false, true],
        [b, path.join(home, 'out'), 'pdf', false, true],
      ],
    );
  });

  it("a conversion's notification's Stop stops that conversion's sandbox, and only it", async () => {
    await convert([pdf('e.pdf'), pdf('f.pdf')], {});
    const second = started[1];
    assert.ok(second?.kind === 'convert' && second.report !== undefined);
    second.report.progress({ phase: 'rendering', page: 1, pages: 2 });
    const id = await waitForNotice(() => shown.length);
    for (const listener of heard) listener(id, 'stop');
    await new Promise(setImmediate); // the notification's id is known by now: the listeners have acted
    assert.deepEqual(stops, ['s2']);
  });

  it('with notify=false the caller reports: no progress notification is attached', async () => {
    await convert([pdf('c.pdf')], { notify: variant(false) });
    const spec = started[0];
    assert.ok(spec?.kind === 'convert');
    assert.equal(spec.report, undefined);
    assert.equal(spec.plan.outputDir, home, 'the safe PDF goes beside the file by default');
  });

  it("plans with the caller's resolution and OCR languages (what nofear-open --convert planned), and refuses a language not installed", async () => {
    await convert([pdf('g.pdf')], { dpi: variant(100), ocr: variant(true), ocr_languages: variant('eng'), notify: variant(false) });
    const spec = started[0];
    assert.ok(spec?.kind === 'convert');
    assert.deepEqual([spec.plan.dpi, spec.plan.ocr, spec.plan.ocrLanguages, spec.plan.cjpeg], [100, true, 'eng', undefined]);
    await assert.rejects(convert([pdf('h.pdf')], { ocr: variant(true), ocr_languages: variant('zzz') }), fails('Unavailable', /no data for zzz/));
    assert.equal(started.length, 1);
  });

  it('refuses the whole call before starting anything: a web address, a relative path, a missing file, an unknown option', async () => {
    const good = pdf('d.pdf');
    await assert.rejects(convert([good, 'https://example.org/x.pdf'], {}), fails('InvalidArgument', /Convert takes files, not web addresses/));
    await assert.rejects(convert([good, 'rel.pdf'], {}), fails('InvalidArgument', /not an absolute path/));
    await assert.rejects(convert([good, path.join(home, 'gone.pdf')], {}), fails('NotFound', /gone\.pdf/));
    await assert.rejects(convert([good], { dpi: variant('300') }), fails('InvalidArgument', /dpi must have type u, not s/));
    await assert.rejects(convert([good], { resolution: variant(300) }), fails('InvalidArgument', /Unknown option "resolution"/));
    await assert.rejects(convert([good], { output: variant(path.join(home, 'nowhere')) }), fails('NotFound', /output directory/));
    assert.deepEqual(started, []);
    assert.deepEqual(shown, []);
  });
});
