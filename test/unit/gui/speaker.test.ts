// The sound path's pure parts: the player's command line, where the sound server is, and the jailed
// client's check of the guest's wav stream (src/gui/nofear_xpra/speaker.py, run by Python here).
import assert from 'node:assert/strict';
import path from 'node:path';
import { execa } from 'execa';
import { PCM_FORMAT, playerArgv, soundServerSocket } from '../../../src/gui/speaker.js';
import { ROOT } from '../../helpers/cli.js';

/** Feeds each stream's chunks (hex) to one PcmStream; returns the PCM it lets out (hex) and its error. */
async function feed(streams: string[][]): Promise<Array<{ pcm: string; error: string | null }>> {
  const script = `
import json, sys
from nofear_xpra.speaker import PcmStream
out = []
for chunks in json.load(sys.stdin):
    stream = PcmStream()
    pcm = b"".join(stream.feed(bytes.fromhex(c)) for c in chunks)
    out.append({"pcm": pcm.hex(), "error": stream.error})
json.dump(out, sys.stdout)
`;
  const result = await execa('/usr/bin/python3', ['-c', script], {
    input: JSON.stringify(streams),
    env: { PYTHONPATH: path.join(ROOT, 'src', 'gui'), PYTHONDONTWRITEBYTECODE: '1' },
    extendEnv: false,
  });
  return JSON.parse(result.stdout) as Array<{ pcm: string; error: string | null }>;
}

/** A wav header as GStreamer's wavenc writes it for a stream (sizes unknown). */
function wavHeader(format = 1, channels = 2, rate = 44100, bits = 16, extra = Buffer.alloc(0)): Buffer {
  const fmt = Buffer.alloc(16);
  const align = (channels * bits) / 8;
  fmt.writeUInt16LE(format, 0);
  fmt.writeUInt16LE(channels, 2);
  fmt.writeUInt32LE(rate, 4);
  fmt.writeUInt32LE(rate * align, 8);
  fmt.writeUInt16LE(align, 12);
  fmt.writeUInt16LE(bits, 14);
  const chunk = (id: string, body: Buffer) => Buffer.concat([Buffer.from(id, 'latin1'), Buffer.from(Uint32Array.of(body.length).buffer), body]);
  return Buffer.concat([Buffer.from('RIFF\xff\xff\xff\x7fWAVE', 'latin1'), chunk('fmt ', fmt), extra, Buffer.from('data\xff\xff\xff\x7f', 'latin1')]);
}

describe('the guest sound path', () => {
  it('plays with pacat, playback only, raw PCM in the format the client writes', () => {
    const argv = playerArgv('/usr/bin/pacat', 'tem porary');
    assert.deepEqual(argv.slice(0, 6), ['/usr/bin/pacat', '--playback', '--raw', '--format=s16le', '--rate=44100', '--channels=2']);
    assert.equal(argv.includes('--record'), false);
    assert.ok(argv.includes('--stream-name=NoFear tem_porary'));
    assert.deepEqual(PCM_FORMAT, { format: 's16le', rate: 44100, channels: 2 });
  });

  it("finds the user's sound server as PulseAudio's clients do", () => {
    assert.equal(soundServerSocket({ XDG_RUNTIME_DIR: '/run/user/1000' }), '/run/user/1000/pulse/native');
    assert.equal(soundServerSocket({ PULSE_SERVER: 'unix:/tmp/p/native', XDG_RUNTIME_DIR: '/run/user/1000' }), '/tmp/p/native');
    assert.equal(soundServerSocket({}), undefined);
  });

  it("lets out only the PCM after a wav header in NoFear's format, in whole frames, across chunk boundaries", async () => {
    const header = wavHeader();
    const list = Buffer.concat([Buffer.from('LIST', 'latin1'), Buffer.from([3, 0, 0, 0]), Buffer.from('abc\0', 'latin1')]);
    const [whole, split, withList] = await feed([
      [Buffer.concat([header, Buffer.from('0102030405060708', 'hex')]).toString('hex')],
      [header.subarray(0, 10).toString('hex'), Buffer.concat([header.subarray(10), Buffer.from('010203', 'hex')]).toString('hex'), '0405060708'],
      [Buffer.concat([wavHeader(1, 2, 44100, 16, list), Buffer.from('01020304', 'hex')]).toString('hex')],
    ]);
    assert.deepEqual(whole, { pcm: '0102030405060708', error: null });
    assert.deepEqual(split, { pcm: '0102030405060708', error: null }, 'a frame cut by a chunk is held until it is whole');
    assert.deepEqual(withList, { pcm: '01020304', error: null }, 'other chunks before the data are skipped (padded to even)');
  });

  it('refuses any other format, a stream that is not wav, and a header that never ends', async () => {
    const results = await feed([
      [wavHeader(1, 1).toString('hex') + '0102'],
      [wavHeader(1, 2, 48000).toString('hex') + '01020304'],
      [wavHeader(3, 2, 44100, 32).toString('hex') + '0102030405060708'],
      [Buffer.from('OggS'.padEnd(64, '\0'), 'latin1').toString('hex')],
      [Buffer.concat([Buffer.from('RIFF\0\0\0\0WAVE', 'latin1'), Buffer.from('junk', 'latin1'), Buffer.from([0xff, 0xff, 0, 0])]).toString('hex'), '00'.repeat(5000)],
      [Buffer.from('RIFF\0\0\0\0WAVEdata\0\0\0\0', 'latin1').toString('hex') + '01020304'],
    ]);
    for (const result of results) {
      assert.equal(result.pcm, '', JSON.stringify(result));
      assert.notEqual(result.error, null);
    }
    assert.match(results[1]?.error ?? '', /48000 Hz/);
    assert.match(results[5]?.error ?? '', /before its format/);
  });
});
