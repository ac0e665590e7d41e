// One --edit, from the staged copy to the user's decision. The copy is staged writable (its size, mtime
// and hash noted); once the VM has gone, the guest-written file (hostile from then on) is moved aside,
// compared, checked for its type and size, and, if it changed, saved the way the user chooses: back over
// the original (atomically, and only if the original has not changed since it was staged), or beside it
// as NAME (edited in NoFear).EXT. Unchanged, it is dropped without a question.
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nodeFileReader } from '../desktop/file-reader.js';
import { contentMime, loadMimeDatabase } from '../desktop/mime-detect.js';
import { xdgDirsFromEnv } from '../desktop/xdg-dirs.js';
import { stageCopy } from '../open/staging.js';
import type { ExportSpec } from '../vm/vm-shape.js';
import { checkedOf, type OpenPlan } from '../open/open-plan.js';
import { cacheStagingRoot } from '../sandbox/registry.js';
import { tempPathFor } from '../util/publish.js';
import { removeTree } from '../util/remove-tree.js';
import { factsOf, sameKind, type FileFacts } from './edit-files.js';
import { saveBack, saveCopy, type SaveTarget } from './save-edit.js';
import { checkUserXattrs } from './xattr-probe.js';

export type { EditAsker, EditDecision, EditOutcome, EditQuestion, SaveBackMode } from './edit-types.js';
import type { EditAsker, EditOutcome, SaveBackMode } from './edit-types.js';
import type { WritableCopy } from '../sandbox/open-file.js';

export class EditSession implements WritableCopy {
  private staged: FileFacts | undefined;
  private held: string | undefined;

  private constructor(
    readonly plan: OpenPlan,
    private readonly mode: SaveBackMode,
    private readonly maxBytes: number,
    private readonly env: NodeJS.ProcessEnv,
    /** The original's type by its content (libmagic), which the edit must keep. */
    private readonly openedType: string | undefined,
  ) {}

  static async prepare(plan: OpenPlan, options: { saveBack: SaveBackMode; maxBytes: number; env: NodeJS.ProcessEnv }): Promise<EditSession> {
    const content = await contentMime(plan.source);
    return new EditSession(plan, options.saveBack, options.maxBytes, options.env, content.mime);
  }

  /** The staging export: the copy, writable by the guest, on a filesystem that keeps mapped-xattr's attributes. */
  exportSpec(): ExportSpec {
    return {
      bytes: this.plan.size,
      writable: true,
      fill: async (dir) => {
        await checkUserXattrs(dir);
        const before = await fsp.stat(this.plan.source);
        const hash = createHash('sha256');
        let size = 0;
        await stageCopy(checkedOf(this.plan), dir, this.plan.stagedName, this.maxBytes, {
          writable: true,
          onChunk: (chunk) => {
            size += chunk.length;
            hash.update(chunk);
          },
        });
        this.staged = { size, mtimeMs: before.mtimeMs, sha256: hash.digest('hex') };
      },
    };
  }

  /**
   * After QEMU has exited, before the export is removed: the guest's file is moved to a private name
   * outside the export, to be read once nothing of the VM is left.
   */
  async hold(exportDir: string): Promise<void> {
    const held = tempPathFor(path.join(cacheStagingRoot(this.env), 'edited'));
    try {
      await fsp.rename(path.join(exportDir, this.plan.stagedName), held);
      this.held = held;
    } catch {
      this.held = undefined; // removed in the VM: nothing to save
    }
  }

  /** Compares, checks, asks (per --save-back) and saves; the held file is gone afterwards whatever happens. */
  async settle(ask: EditAsker): Promise<EditOutcome> {
    try {
      const staged = this.staged;
      const edited = this.held === undefined ? undefined : await factsOf(this.held, this.maxBytes);
      if (staged === undefined || edited === undefined || this.held === undefined) return { kind: 'gone' };
      if (edited.sha256 === staged.sha256) return { kind: 'unchanged' };
      if (this.mode === 'never') return { kind: 'discarded' };
      const refusal = await this.typeRefusal(this.held);
      if (refusal !== undefined) return { kind: 'refused', reason: refusal };
      const originalChanged = !(await this.originalUnchanged(staged));
      const decision = this.mode === 'always' ? 'back' : await ask({ file: this.plan.file, originalChanged });
      if (decision === 'discard') return { kind: 'discarded' };
      const target: SaveTarget = { held: this.held, edited, file: this.plan.file, source: this.plan.source, maxBytes: this.maxBytes, env: this.env, ...this.testHooks };
      return await this.save(target, decision === 'copy' ? 'chosen' : originalChanged ? 'original-changed' : 'back', staged);
    } finally {
      if (this.held !== undefined && !this.keepHeld) await removeTree(this.held);
    }
  }

  /** Tests only: what runs between the original's check and the swap. */
  testHooks: Pick<SaveTarget, 'beforeExchange'> = {};
  private keepHeld = false;

  /** Saves as decided; whatever fails, the edit is kept somewhere and the outcome names where. */
  private async save(target: SaveTarget, how: 'chosen' | 'original-changed' | 'back', staged: FileFacts): Promise<EditOutcome> {
    try {
      return how === 'back' ? await saveBack(target, staged) : await saveCopy(target, how);
    } catch (error) {
      // Not even NoFear's own folder took it: the held file stays where it is, and the user is told.
      this.keepHeld = true;
      return { kind: 'refused', reason: `it could not be saved anywhere (${error instanceof Error ? error.message : String(error)}); it stays in ${target.held}` };
    }
  }

  /** Drops the held file without saving (the open failed, or the caller gives up). */
  async discard(): Promise<void> {
    if (this.held !== undefined) await removeTree(this.held);
    this.held = undefined;
  }

  private async originalUnchanged(staged: FileFacts): Promise<boolean> {
    const now = await factsOf(this.plan.source, this.maxBytes).catch(() => undefined);
    return now !== undefined && now.size === staged.size && now.mtimeMs === staged.mtimeMs && now.sha256 === staged.sha256;
  }

  private async typeRefusal(held: string): Promise<string | undefined> {
    const edited = await contentMime(held);
    const opened = this.openedType;
    if (edited.mime === undefined || opened === undefined) return `its type cannot be told (${edited.problem ?? "the original's type was not known"})`;
    const db = await loadMimeDatabase(nodeFileReader, xdgDirsFromEnv(this.env, this.env.HOME ?? os.homedir()));
    return sameKind(db.tree, opened, edited.mime) ? undefined : `it is now ${edited.mime}, not ${opened} as when it was opened`;
  }
}
