// Mail (.eml, .mbox, .msg) opens in the user's mail application in the VM when one is installed for the
// type itself, and otherwise in NoFear's message view (src/guest/mail-view.py), which renders the
// message INSIDE the VM: the host only names the type (by name and magic), it never parses a message.
import path from 'node:path';
import type { Resolution } from '../desktop/mimeapps.js';
import { MAIL_TYPES } from '../integrate/types.js';

/** The view's pseudo desktop id (never a real entry: the program is NoFear's, from the initramfs). */
export const MESSAGE_VIEW_ID = 'nofear-message-view';
export const MESSAGE_VIEW_NAME = "NoFear's message view";

/** Where the guest finds the view (src/vm/initramfs.ts puts it there). */
const GUEST_VIEW = '/.nofear/mail-view.py';

/** A type is mail; an Outlook .msg is an OLE file to shared-mime-info 2.2, so there its name decides. */
export function isMailType(mime: string, name: string): boolean {
  if (MAIL_TYPES.includes(mime)) return true;
  return path.extname(name).toLowerCase() === '.msg' && (mime === 'application/x-ole-storage' || mime === 'application/vnd.ms-office');
}

/**
 * NoFear's view is used for mail unless the user named a viewer or the chosen application declares the
 * mail type itself (a mail client: Thunderbird, Evolution): a text editor or office suite found through
 * text/plain (message/rfc822's parent), or recorded as the previous default that way, would show the raw
 * MIME source with base64 attachments, which helps nobody.
 */
export function wantsMessageView(mime: string, name: string, resolution: Resolution, override: string | undefined): boolean {
  if (override !== undefined || !isMailType(mime, name)) return false;
  const declared = resolution.chosen?.app?.entry.mimeTypes ?? [];
  return !declared.some((type) => type.toLowerCase() === resolution.mime.toLowerCase());
}

/** The guest argv of the view for a staged message. */
export function messageViewArgv(staged: string): string[] {
  return ['/usr/bin/python3', GUEST_VIEW, 'view', staged];
}
