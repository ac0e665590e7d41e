// What the service does with an attachment the message view exported (src/service/daemon/attachment-requests.ts):
// a new VM that opens or converts the saved file as any untrusted file, the safe PDF beside the message
// (or in the home when the message's folder is gone), the saved file removed once that VM has ended or
// when it could not start, and the failure told. Real files in a temporary XDG tree with the host's
// shared-mime-info; a recording stand-in manager (the real one is test/unit/sandbox/manager.test.ts's).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultConfig } from '../../../src/config/index.js';
import type { OpenPlan } from '../../../src/open/open-plan.js';
import type { SavedAttachment } from '../../../src/open/attachment-export.js';
import type { ManagedSandbox } from '../../../src/sandbox/manager.js';
import { attachmentHandler } from '../../../src/service/daemon/attachment-requests.js';
import type { Notice } from '../../../src/service/bus/notifications.js';
import type { RequestContext, ServiceSpec } from '../../../src/service/daemon/request-parts.js';
import { EventWaits } from '../../helpers/event-waits.js';

const VIEWER = '[Desktop Entry]\nType=Application\nName=Test Viewer\nExec=/usr/bin/true %f\nMimeType=application/pdf;\n';

describe('service/attachment-requests', () => {
  let home: string;
  let started: ServiceSpec[];
  let shown: Notice[];
  let lines: string[];
  let removed: string[];
  let endSandbox: () => void;
  let waits: EventWaits;
  let context: RequestContext;

  beforeEach(() => {
    home = mkdtempSync(path.join(tmpdir(), 'nofear-attachment-requests-'));
    const data = path.join(home, 'data');
    mkdirSync(path.join(data, 'applications'), { recursive: true });
    symlinkSync('/usr/share/mime', path.join(data, 'mime'));
    writeFileSync(path.join(data, 'applications', 'test-viewer.desktop'), VIEWER);
    mkdirSync(path.join(home, 'config'));
    writeFileSync(path.join(home, 'config', 'mimeapps.list'), '[Default Applications]\napplication/pdf=test-viewer.desktop\n');
    mkdirSync(path.join(home, 'mail'));
    mkdirSync(path.join(home, 'saved'));
    const env = { HOME: home, XDG_DATA_HOME: path.join(home, 'nodata'), XDG_DATA_DIRS: data, XDG_CONFIG_HOME: path.join(home, 'config'), XDG_STATE_HOME: path.join(home, 'state') };
    started = [];
    shown = [];
    lines = [];
    removed = [];
    waits = new EventWaits();
    const ended = new Promise<void>((resolve) => (endSandbox = resolve));
    const config = defaultConfig();
    context = {
      env,
      config: () => config,
      log: (line: string) => (lines.push(line), waits.wake()),
      notifications: {
        show: async (notice: Notice) => {
          shown.push(notice);
          waits.wake();
          return 1;
        },
      },
      manager: {
        start: async (spec: ServiceSpec) => {
          started.push(spec);
          waits.wake();
          return { id: `s${started.length}`, files: [], command: [], ended } as unknown as ManagedSandbox; // the handler reads only these
        },
      },
    } as unknown as RequestContext; // the other members are not reached
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  const message = (dir = path.join(home, 'mail')) => ({ file: path.join(dir, 'letter.eml') }) as OpenPlan; // only the message's file is read
  const saved = (action: 'open' | 'convert', name = 'invoice.pdf', content = '%PDF-1.4\n%%EOF\n'): SavedAttachment => {
    const file = path.join(home, 'saved', name);
    if (content !== '') writeFileSync(file, content);
    return {
      action,
      file,
      remove: async () => {
        removed.push(file);
        waits.wake();
      },
    };
  };

  it('converts an attachment in a new VM, the safe PDF beside the message, and removes the saved file once that VM has ended', async () => {
    const attachment = saved('convert');
    attachmentHandler(context, message(), {})(attachment);
    const spec = await waits.until(() => started[0], 'the conversion start', 10_000);
    assert.ok(spec.kind === 'convert');
    assert.equal(spec.plan.file, attachment.file);
    assert.equal(spec.plan.outputDir, path.join(home, 'mail'));
    assert.equal(spec.plan.ocr, false);
    assert.match(lines[0] ?? '', /letter\.eml: the message view exported "invoice\.pdf" to convert it in a new VM/);
    assert.deepEqual(removed, [], 'the saved file stays while its VM runs');
    endSandbox();
    await waits.until(() => removed[0], 'the removal of the saved file', 10_000);
  });

  it("puts the safe PDF in the home when the message's folder is gone (a mail client's temporary folder)", async () => {
    attachmentHandler(context, message(path.join(home, 'gone')), {})(saved('convert'));
    const spec = await waits.until(() => started[0], 'the conversion start', 10_000);
    assert.ok(spec.kind === 'convert');
    assert.equal(spec.plan.outputDir, home);
  });

  it("opens an attachment with the host's viewer and the caller's display, its own attachments handled the same way", async () => {
    const display = { display: { DISPLAY: ':5' } };
    attachmentHandler(context, message(), display)(saved('open'));
    const spec = await waits.until(() => started[0], 'the open start', 10_000);
    assert.ok(spec.kind === 'open-plan');
    assert.equal(spec.plan.viewer, 'test-viewer.desktop');
    assert.deepEqual(spec.display, { DISPLAY: ':5' });
    assert.equal(typeof spec.onAttachment, 'function');
  });

  it('removes the saved file, logs and tells the desktop when its VM cannot start', async () => {
    const attachment = saved('open', 'empty.pdf', '');
    attachmentHandler(context, message(), {})(attachment);
    const notice = await waits.until(() => shown[0], 'the notification of the failure', 10_000);
    assert.equal(notice.summary, 'NoFear could not open the attachment empty.pdf');
    assert.match(notice.body, /empty\.pdf/);
    assert.deepEqual(removed, [attachment.file]);
    assert.ok(
      lines.some((line) => line.startsWith('the attachment empty.pdf of ')),
      lines.join('\n'),
    );
    assert.deepEqual(started, []);
  });
});
