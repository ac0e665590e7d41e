// Bytes through zlib's deflate into an async sink, with back-pressure: a write waits while zlib's buffer
// is full, and fails as soon as the sink has failed or ended, so a page is never held whole in memory
// and a writer never waits on a sink that is gone. The PDF's image streams and OCR's PNGs both use it.
import { once } from 'node:events';
import zlib from 'node:zlib';

export class DeflatePump {
  private readonly deflate: zlib.Deflate;
  private readonly pump: Promise<void>;

  /** `what` names the stream in the error when its sink ends first ("the PNG", "the image"). */
  constructor(
    level: number,
    sink: (data: Buffer) => Promise<void>,
    private readonly what: string,
  ) {
    const deflate = zlib.createDeflate({ level });
    this.deflate = deflate;
    this.pump = (async () => {
      for await (const data of deflate as AsyncIterable<Buffer>) await sink(data);
    })();
    this.pump.catch(() => undefined); // awaited in write and finish
  }

  async write(data: Buffer): Promise<void> {
    if (this.deflate.write(data)) return;
    await Promise.race([once(this.deflate, 'drain'), this.pump.then(() => Promise.reject(new Error(`${this.what} ended while it was written`)))]);
  }

  /** Flushes the last compressed bytes into the sink. */
  async finish(): Promise<void> {
    this.deflate.end();
    await this.pump;
  }

  abort(): void {
    this.deflate.destroy();
  }
}
