// Makes guest output harmless on the host's terminal: control characters other than newline, tab and
// carriage return are shown as `cat -v` shows them (ESC as ^[, BEL as ^G, DEL as ^?, the C1 control CSI as
// M-^[), so a guest cannot write the terminal's clipboard (OSC 52), retitle its window or remap its keys.
// Qubes' qvm-run filters its output the same way when it goes to a terminal. Byte-level and stateful: a
// UTF-8 sequence split across chunks is recognised, and only control characters change.

const TAB = 0x09;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const DEL = 0x7f;
/** The UTF-8 lead byte of U+0080–U+00BF: followed by 0x80–0x9F it encodes a C1 control. */
const C2 = 0xc2;

/** `cat -v`'s name for a C0 control or DEL. */
function caret(code: number): string {
  return code === DEL ? '^?' : `^${String.fromCharCode(code + 0x40)}`;
}

/** Whether the chunk has anything to escape or to carry over: most output has not, and passes as it is. */
function plain(chunk: Buffer): boolean {
  for (const byte of chunk) {
    if (byte < 0x20 ? byte !== TAB && byte !== NEWLINE && byte !== CARRIAGE_RETURN : byte >= DEL) return false;
  }
  return true;
}

export class ControlEscaper {
  /** A 0xC2 whose next byte has not come yet. */
  private pendingC2 = false;
  /** Continuation bytes still due in a multi-byte UTF-8 sequence: they are text, not C1 controls. */
  private continuation = 0;

  push(chunk: Buffer): Buffer {
    if (!this.pendingC2 && this.continuation === 0 && plain(chunk)) return chunk;
    const out: string[] = [];
    let run = 0; // start of the bytes still to be copied as they are
    const flush = (end: number) => {
      if (end > run) out.push(chunk.subarray(run, end).toString('latin1'));
    };
    chunk.forEach((byte, at) => {
      const replacement = this.next(byte);
      if (replacement === undefined) return;
      flush(at);
      out.push(replacement);
      run = at + 1;
    });
    flush(chunk.length);
    return Buffer.from(out.join(''), 'latin1');
  }

  /** What the stream's end leaves: a lone 0xC2 (not a control) goes out as it is. */
  end(): Buffer {
    const tail = this.pendingC2 ? Buffer.from([C2]) : Buffer.alloc(0);
    this.pendingC2 = false;
    this.continuation = 0;
    return tail;
  }

  /** undefined: the byte goes out as it is; else what goes out in its place (latin1: one character per byte). */
  private next(byte: number): string | undefined {
    if (this.pendingC2) {
      this.pendingC2 = false;
      // U+0080–U+009F, the C1 controls, which terminals in UTF-8 mode obey (CSI is U+009B).
      if (byte >= 0x80 && byte <= 0x9f) return `M-${caret(byte - 0x80)}`;
      const held = String.fromCharCode(C2);
      if (byte >= 0xa0 && byte <= 0xbf) return `${held}${String.fromCharCode(byte)}`;
      return `${held}${this.next(byte) ?? String.fromCharCode(byte)}`; // a broken sequence: the byte stands alone
    }
    if (this.continuation > 0) {
      if (byte >= 0x80 && byte <= 0xbf) {
        this.continuation--;
        return undefined;
      }
      this.continuation = 0;
    }
    if (byte < 0x20) return byte === TAB || byte === NEWLINE || byte === CARRIAGE_RETURN ? undefined : caret(byte);
    if (byte < DEL) return undefined;
    if (byte === DEL) return caret(DEL);
    // A raw C1 byte outside any UTF-8 sequence: an 8-bit terminal takes it as a control.
    if (byte <= 0x9f) return `M-${caret(byte - 0x80)}`;
    if (byte === C2) {
      this.pendingC2 = true;
      return '';
    }
    if (byte >= 0xc3 && byte <= 0xf4) this.continuation = byte < 0xe0 ? 1 : byte < 0xf0 ? 2 : 3;
    return undefined;
  }
}
