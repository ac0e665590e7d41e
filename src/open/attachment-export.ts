// The host's side of an attachment export: the message view's stdout followed frame by frame
// (src/open/attachment-stream.ts), each attachment written as a new file in a private directory of
// the cache (0700, the file 0600, created exclusively, never through a link) and handed on to be opened
// or converted in a NEW VM like any other untrusted file, marked as made in a VM. The host never looks
// inside the bytes.
import { constants as fsc, promises as fsp } from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import { markGuestMade } from '../trust/origin.js';
import { makeOwnedDir, sweepAbandoned } from '../util/owned-dirs.js';
import { xdgCacheHome } from '../util/xdg.js';
import { AttachmentStream, type ExportAction, type ExportedAttachment, type ExportLimits } from './attachment-stream.js';

/** Mail providers cap attachments at 20-50 MB; a view may export a handful. */
export const EXPORT_LIMITS: ExportLimits = { maxBytes: 100 * 1024 * 1024, maxCount: 20 };

export interface SavedAttachment {
  action: ExportAction;
  /** The attachment as a file of its own: staged by the next open like any file. */
  file: string;
  /** Removes the file and its directory (once the VM that opened it has its own copy, or has ended). */
  remove(): Promise<void>;
}

export interface ExportFollower {
  env: NodeJS.ProcessEnv;
  limits?: ExportLimits;
  log?: (line: string) => void;
  onAttachment(saved: SavedAttachment): void;
}

/** The directory attachments are written to, below the user's cache (not the runtime dir: the reaper's). */
export function attachmentsRoot(env: NodeJS.ProcessEnv): string {
  return path.join(xdgCacheHome(env), 'nofear', 'attachments');
}

export async function saveAttachment(attachment: ExportedAttachment, env: NodeJS.ProcessEnv): Promise<SavedAttachment> {
  const root = attachmentsRoot(env);
  await sweepAbandoned(root, 'a'); // a view's process killed outright left its attachments behind
  const dir = await makeOwnedDir(root, 'a');
  const remove = () => fsp.rm(dir, { recursive: true, force: true });
  try {
    const file = path.join(dir, attachment.name);
    const handle = await fsp.open(file, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600);
    try {
      await handle.writeFile(attachment.untrustedBytes);
    } finally {
      await handle.close();
    }
    // The mark of the outside, as on everything a guest made: should the user keep it from the VM that opens it.
    await markGuestMade(file, 'an attachment exported from a message', env);
    return { action: attachment.action, file, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** Follows a view's stdout until it ends or breaks the format; each attachment is saved, in order, then handed on. */
export function followExports(stdout: net.Socket, follower: ExportFollower): void {
  const stream = new AttachmentStream(follower.limits ?? EXPORT_LIMITS);
  let queue = Promise.resolve();
  stdout.on('error', () => {}); // the VM's end is noticed through QEMU's exit
  stdout.on('data', (chunk: Buffer) =>
    stream.push(chunk, (event) => {
      if (event.kind === 'violation') {
        follower.log?.(`the message view broke the export format (${event.reason}): no more attachments from it`);
        stdout.removeAllListeners('data');
        stdout.pause();
        return;
      }
      const { attachment } = event;
      queue = queue.then(async () => {
        try {
          follower.onAttachment(await saveAttachment(attachment, follower.env));
        } catch (error) {
          follower.log?.(`the attachment ${JSON.stringify(attachment.name)} could not be saved: ${error instanceof Error ? error.message : String(error)}`);
        }
      });
    }),
  );
}
