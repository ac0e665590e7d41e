import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { invalidArgument, isNoFearError, notFound } from '../../../src/errors.js';
import type { OpenPlan } from '../../../src/open/open-plan.js';
import { planEachTarget, plansOrRefusal } from '../../../src/service/daemon/open-batch.js';
import type { Notice } from '../../../src/service/bus/notifications.js';
import type { RequestContext } from '../../../src/service/daemon/requests.js';

describe("the service's open batch (OpenFiles, OpenUris)", () => {
  let dir: string;
  let shown: Notice[];
  let context: RequestContext;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-open-batch-'));
    shown = [];
    context = {
      env: { XDG_STATE_HOME: dir },
      log: () => {},
      notifications: {
        show: async (notice: Notice) => {
          shown.push(notice);
          return 1;
        },
      },
    } as unknown as RequestContext; // only env, log and notifications are used here
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const plan = async (file: string): Promise<OpenPlan> => {
    if (file.endsWith('/folder')) throw invalidArgument(`${file} is a directory; NoFear opens files.`, 'open a file inside it');
    if (file.endsWith('.gone')) throw notFound(`${file} does not exist.`, 'check the path');
    return { file } as OpenPlan; // only the file is read by the batch
  };

  it('starts what can open, and tells the rest in one notification with their fixes', async () => {
    const planned = await planEachTarget(['/f/report.pdf', '/f/folder', '/f/x.gone'], (t) => t, plan);
    const plans = await plansOrRefusal(context, planned, undefined);
    assert.deepEqual(
      plans.map((p) => p.file),
      ['/f/report.pdf'],
    );
    assert.equal(shown.length, 1);
    assert.equal(shown[0]?.summary, 'NoFear could not open 2 of 3 files (1 opened)');
    assert.equal(shown[0]?.body, '• folder: /f/folder is a directory; NoFear opens files. Fix: open a file inside it\n• x.gone: /f/x.gone does not exist. Fix: check the path');
  });

  it('notifies nothing when the caller reports the failures itself (notify=false), or when nothing failed', async () => {
    await plansOrRefusal(context, await planEachTarget(['/f/a.pdf', '/f/folder'], (t) => t, plan), false);
    await plansOrRefusal(context, await planEachTarget(['/f/a.pdf'], (t) => t, plan), undefined);
    assert.deepEqual(shown, []);
  });

  it('refuses the call when nothing can open: one file keeps its own error, several are named in one', async () => {
    await assert.rejects(plansOrRefusal(context, await planEachTarget(['/f/x.gone'], (t) => t, plan), undefined), (e: unknown) => isNoFearError(e) && e.code === 'NotFound');
    await assert.rejects(
      plansOrRefusal(context, await planEachTarget(['/f/folder', '/f/x.gone'], (t) => t, plan), undefined),
      (e: unknown) => isNoFearError(e) && e.code === 'InvalidArgument' && /^None of the 2 files can be opened:\n.*folder.*\n.*x\.gone/.test(e.message),
    );
    assert.deepEqual(shown, [], 'a refused call is told by its caller (the extension notifies the error)');
  });
});
