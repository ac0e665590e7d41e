// The attachments NoFear's message view exports from the VM (src/guest/mail-view.py), read as hostile
// input: one frame each, `nofear-export 1 open|convert SIZE NAME_BASE64\n` and then exactly SIZE bytes.
// The header line, the size and the number of frames are bounded; the name is the VM's words, made a
// plain base name here; anything else ends the stream for good (the view gets no further say).

/** What the guest may ask for an attachment: open it safely in a new VM, or convert it to a safe PDF. */
export type ExportAction = 'open' | 'convert';

export interface ExportedAttachment {
  action: ExportAction;
  /** A plain base name, safe to create in a private directory (never a path). */
  name: string;
  untrustedBytes: Buffer;
}

export interface ExportLimits {
  maxBytes: number;
  maxCount: number;
}

/** Longest header accepted: the words and a base64 name of at most 255 bytes. */
const MAX_HEADER = 420;
const HEADER = /^nofear-export 1 (open|convert) (0|[1-9][0-9]{0,15}) ([A-Za-z0-9+/]{0,340}={0,2})$/;
const MAX_NAME_CHARS = 120;
/** Well under NAME_MAX (255 bytes): a name of 120 characters can be 480 bytes of UTF-8. */
const MAX_NAME_BYTES = 200;

/**
 * A base name from the guest's name: its last path component (either slash), without controls, bidi
 * overrides or leading dots (no hidden files, never `.` or `..`), at most 120 characters and 200 bytes with
 * its extension kept; `attachment` when nothing is left.
 */
export function safeAttachmentName(untrustedName: string): string {
  const last = untrustedName.split(/[/\\]/).pop() ?? '';
  const visible = last.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffd]/g, '').trim();
  const named = visible.replace(/^\.+/, '').trim();
  if (named === '') return 'attachment';
  const dot = named.lastIndexOf('.');
  const extension = dot > 0 && named.length - dot <= 12 ? named.slice(dot) : '';
  const stem = Array.from(extension === '' ? named : named.slice(0, dot)); // whole code points, never half a pair
  const fits = () => stem.length + extension.length <= MAX_NAME_CHARS && Buffer.byteLength(stem.join('') + extension) <= MAX_NAME_BYTES;
  while (!fits()) stem.pop();
  return stem.join('') + extension;
}

type Event = { kind: 'attachment'; attachment: ExportedAttachment } | { kind: 'violation'; reason: string };

/** Splits the stream into frames; after a violation it ignores everything. */
export class AttachmentStream {
  private header = Buffer.alloc(0);
  private body: { action: ExportAction; name: string; size: number; parts: Buffer[]; have: number } | undefined;
  private count = 0;
  private broken = false;

  constructor(private readonly limits: ExportLimits) {}

  push(chunk: Buffer, emit: (event: Event) => void): void {
    let rest = chunk;
    while (!this.broken && rest.length > 0) {
      rest = this.body === undefined ? this.readHeader(rest, emit) : this.readBody(rest, emit);
    }
  }

  private readHeader(chunk: Buffer, emit: (event: Event) => void): Buffer {
    const newline = chunk.indexOf(0x0a);
    const taken = newline < 0 ? chunk : chunk.subarray(0, newline);
    this.header = Buffer.concat([this.header, taken]);
    if (this.header.length > MAX_HEADER) return this.violate('an export header longer than allowed', emit);
    if (newline < 0) return Buffer.alloc(0);
    const match = HEADER.exec(this.header.toString('latin1'));
    this.header = Buffer.alloc(0);
    if (match === null) return this.violate('a malformed export header', emit);
    const [, action, size, name] = match as unknown as [string, ExportAction, string, string];
    if (++this.count > this.limits.maxCount) return this.violate(`more than ${this.limits.maxCount} exports`, emit);
    if (Number(size) > this.limits.maxBytes) return this.violate(`an attachment of ${size} bytes, over the ${this.limits.maxBytes}-byte limit`, emit);
    this.body = { action, name: safeAttachmentName(Buffer.from(name, 'base64').toString('utf8')), size: Number(size), parts: [], have: 0 };
    const rest = chunk.subarray(newline + 1);
    if (this.body.size === 0) this.finish(emit);
    return rest;
  }

  private readBody(chunk: Buffer, emit: (event: Event) => void): Buffer {
    const body = this.body;
    if (body === undefined) return chunk;
    const wanted = body.size - body.have;
    const piece = chunk.subarray(0, wanted);
    body.parts.push(Buffer.from(piece)); // a copy: the socket's buffer may be reused
    body.have += piece.length;
    if (body.have === body.size) this.finish(emit);
    return chunk.subarray(piece.length);
  }

  private finish(emit: (event: Event) => void): void {
    const body = this.body;
    this.body = undefined;
    if (body !== undefined) emit({ kind: 'attachment', attachment: { action: body.action, name: body.name, untrustedBytes: Buffer.concat(body.parts) } });
  }

  private violate(reason: string, emit: (event: Event) => void): Buffer {
    this.broken = true;
    this.body = undefined;
    emit({ kind: 'violation', reason });
    return Buffer.alloc(0);
  }
}
