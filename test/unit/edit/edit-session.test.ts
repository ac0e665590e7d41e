// One edit from start to end (src/edit/edit-session.ts) with no VM: the real planOpen, the staging export
// filled into a real directory, the guest's edit written there by the test (what the VM's program would
// do), then held and settled: unchanged, discarded by --save-back never, saved back, asked, refused when
// the type changed, and gone when the program removed the copy.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EditSession, type EditQuestion, type SaveBackMode } from '../../../src/edit/edit-session.js';
import { planOpen } from '../../../src/open/open-plan.js';

describe('edit/edit-session', function () {
  this.timeout(60_000); // libmagic and the host's MIME data: slow only on a busy machine
  let dir: string;
  let file: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-edit-session-'));
    file = path.join(dir, 'notes.txt');
    writeFileSync(file, 'first words\n');
    env = { HOME: path.join(dir, 'home'), XDG_CACHE_HOME: path.join(dir, 'cache'), XDG_DATA_DIRS: '/usr/share' };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Prepares, fills the export, lets `edit` act as the guest on the staged copy, holds and settles. */
  async function editWith(mode: SaveBackMode, edit: (staged: string) => void, answer: 'back' | 'copy' | 'discard' = 'back') {
    const plan = await planOpen(file, { maxFileSizeBytes: 1 << 20 });
    const session = await EditSession.prepare(plan, { saveBack: mode, maxBytes: 1 << 20, env });
    const exportDir = path.join(dir, 'cache', 'nofear', 'staging', 'export'); // where staging puts exports
    mkdirSync(exportDir, { recursive: true });
    const spec = session.exportSpec();
    assert.equal(spec.writable, true);
    await spec.fill(exportDir);
    const staged = path.join(exportDir, plan.stagedName);
    assert.equal(readFileSync(staged, 'utf8'), readFileSync(file, 'utf8'), 'the staged copy is the original');
    edit(staged);
    await session.hold(exportDir);
    const questions: EditQuestion[] = [];
    const outcome = await session.settle(async (question) => {
      questions.push(question);
      return answer;
    });
    rmSync(exportDir, { recursive: true, force: true });
    return { outcome, questions };
  }

  it('an unchanged copy is "unchanged"; a removed one is "gone"; --save-back never discards an edit', async () => {
    assert.deepEqual((await editWith('ask', () => undefined)).outcome, { kind: 'unchanged' });
    assert.deepEqual((await editWith('ask', (staged) => rmSync(staged))).outcome, { kind: 'gone' });
    const never = await editWith('never', (staged) => writeFileSync(staged, 'changed\n'));
    assert.deepEqual(never.outcome, { kind: 'discarded' });
    assert.equal(readFileSync(file, 'utf8'), 'first words\n');
  });

  it('--save-back always saves over the original without asking; ask asks, and a discard keeps the original', async () => {
    const always = await editWith('always', (staged) => writeFileSync(staged, 'second words\n'));
    assert.equal(always.outcome.kind, 'saved-back');
    assert.deepEqual(always.questions, []);
    assert.equal(readFileSync(file, 'utf8'), 'second words\n');
    const asked = await editWith('ask', (staged) => writeFileSync(staged, 'third words\n'), 'discard');
    assert.deepEqual(asked.outcome, { kind: 'discarded' });
    assert.deepEqual(asked.questions, [{ file, originalChanged: false }]);
    assert.equal(readFileSync(file, 'utf8'), 'second words\n');
  });

  it('refuses an edit that changed the type, and tells the asker when the original changed meanwhile', async () => {
    const refused = await editWith('always', (staged) => writeFileSync(staged, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])));
    assert.equal(refused.outcome.kind, 'refused');
    assert.match(refused.outcome.kind === 'refused' ? refused.outcome.reason : '', /it is now image\/png, not text\/plain/);
    const raced = await editWith(
      'ask',
      (staged) => {
        writeFileSync(staged, 'from the VM\n');
        writeFileSync(file, 'from someone else\n');
      },
      'copy',
    );
    assert.deepEqual(raced.questions, [{ file, originalChanged: true }]);
    assert.equal(raced.outcome.kind, 'saved-copy');
    assert.equal(readFileSync(file, 'utf8'), 'from someone else\n');
    assert.equal(readFileSync(raced.outcome.kind === 'saved-copy' ? raced.outcome.path : '', 'utf8'), 'from the VM\n');
    assert.equal(existsSync(path.join(dir, 'cache', 'nofear', 'staging')) ? readdirSync(path.join(dir, 'cache', 'nofear', 'staging')).length : 0, 0, 'no held copy is left');
  });
});
