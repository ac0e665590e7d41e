// Thumbnails of files from outside, rendered in ONE throwaway VM without network, one file after another
// (src/guest/thumbs.sh), under the conversion path's rules: only pixels come back, each record checked
// against one thumbnail's limits as it arrives, and the host encodes the PNGs the cache gets. A file the VM
// cannot render, or whose record breaks a rule, gets no thumbnail; the others still get theirs. A hostile
// file that takes the VM over can change the other files' thumbnail pixels in this batch, nothing else.
// The VM runs at the lowest CPU priority: a thumbnail never competes with an open.
import { promises as fsp, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkOpenable, stagedNameFor } from '../open/check.js';
import { GUEST_STAGING } from '../open/open-plan.js';
import { stageCopy, type CheckedFile } from '../open/staging.js';
import { runGuestJob, type ConversionContext } from './guest-job.js';
import { maxRecordBytes, ThumbStreamParser } from './thumb-stream.js';
import { THUMB_SIZES, writeThumbnails, type WrittenThumbnail } from './thumb-cache.js';

export type ThumbKind = 'pdf' | 'image';

export interface ThumbTarget {
  file: string;
  kind: ThumbKind;
}

/** What became of one file: the thumbnails written, or why there are none. */
export type ThumbOutcome = { file: string; written: string[] } | { file: string; refused: string };

/** The guest renders at the large size; the normal one is made from it on the host. */
const RENDER_SIZE = THUMB_SIZES.large;

interface Staged extends ThumbTarget {
  checked: CheckedFile;
  name: string;
  mtimeSeconds: number;
}

/** Every thread of QEMU (its vCPUs are threads, and niceness is per thread on Linux) at niceness 19. */
export function lowerPriority(pid: number): void {
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) os.setPriority(Number(tid), 19);
  } catch {
    // gone already, or a thread ended between the listing and the call: nothing to lower
  }
}

async function check(targets: readonly ThumbTarget[], maxBytes: number, env: NodeJS.ProcessEnv, outcomes: ThumbOutcome[]): Promise<Staged[]> {
  const staged: Staged[] = [];
  for (const target of targets) {
    try {
      const checked = await checkOpenable(target.file, maxBytes, env);
      const mtimeSeconds = Math.floor((await fsp.stat(checked.source)).mtimeMs / 1000);
      staged.push({ ...target, checked, mtimeSeconds, name: `${staged.length}-${stagedNameFor(target.file)}` });
    } catch (error) {
      outcomes.push({ file: target.file, refused: (error as Error).message });
    }
  }
  return staged;
}

export function thumbnailerArgv(staged: ReadonlyArray<{ kind: ThumbKind; name: string }>): string[] {
  const files = staged.flatMap(({ kind, name }) => [kind, path.posix.join(GUEST_STAGING, name)]);
  return ['/.bb/busybox', 'sh', '/.nofear/thumbs.sh', String(RENDER_SIZE), String(maxRecordBytes(RENDER_SIZE)), ...files];
}

export interface ThumbContext extends ConversionContext {
  /** Told of each PNG written (the service keeps it in place against a placeholder saved after it). */
  keep?: (written: WrittenThumbnail) => void;
}

/** Renders the targets' thumbnails in one VM and writes them into the thumbnail cache; never throws for one file. */
export async function thumbnailBatch(targets: readonly ThumbTarget[], context: ThumbContext): Promise<ThumbOutcome[]> {
  const outcomes: ThumbOutcome[] = [];
  const maxBytes = context.config.open.maxFileSizeBytes;
  const staged = await check(targets, maxBytes, context.env, outcomes);
  if (staged.length === 0) return outcomes;
  const done = new Set<number>();
  try {
    await runGuestJob(
      {
        ...context,
        what: 'the thumbnailer',
        file: path.dirname(staged[0]?.file ?? ''),
        argv: thumbnailerArgv(staged),
        onStarted: (sandbox) => lowerPriority(sandbox.qemuPid),
        export: {
          bytes: staged.reduce((sum, one) => sum + one.checked.size, 0),
          fill: async (dir) => {
            for (const one of staged) await stageCopy(one.checked, dir, one.name, maxBytes);
          },
        },
      },
      async (io) => {
        const parser = new ThumbStreamParser(RENDER_SIZE);
        for await (const chunk of io.chunks()) {
          for (const event of parser.push(chunk)) {
            const one = staged[event.index] as Staged;
            done.add(event.index);
            if (event.kind === 'refused') outcomes.push({ file: one.file, refused: event.reason });
            else outcomes.push({ file: one.file, written: await writeThumbnails(context.env, one.file, one.mtimeSeconds, event, context.keep) });
          }
          if (parser.complete) io.confirm();
        }
        parser.end();
      },
    );
  } catch (error) {
    const reason = (error as Error).message;
    staged.forEach((one, index) => done.has(index) || outcomes.push({ file: one.file, refused: reason }));
  }
  return outcomes;
}
