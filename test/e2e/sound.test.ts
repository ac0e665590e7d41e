// Sound out, never in, end to end: a PulseAudio daemon the test starts (a null sink, a private runtime dir,
// as this unprivileged user) stands for the user's sound server. A WAV the test makes with sox opens in a
// real VM with a player from Debian's packages (paplay in an xterm, pinned with --with); what reaches the
// host is measured on the null sink's monitor (parec) and with sox. The jailed Xpra client never connects
// to the server: only NoFear's playback-only pacat does, and nothing of NoFear records.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa, execaSync } from 'execa';
import { perTestEnv, startCli, type TestEnv } from '../helpers/cli.js';
import { reportedWindow, suiteDisplay, type Display } from '../helpers/xvfb.js';
import { pollUntil } from '../../src/util/poll.js';
import { exitOf, stopGroup } from '../../src/util/child.js';

const WINDOW_DEADLINE = 240_000;
const SOUND_DEADLINE = 240_000;
const BYTES_PER_SECOND = 44_100 * 2 * 2;
// sox's RMS amplitude of the test tone (a 440 Hz sine at half scale) is about 0.35; silence is 0.
const AUDIBLE_RMS = 0.05;
const RECORDER = 'nofear-test-monitor';
const PLAYER = 'wav-player.desktop';

interface SoundServer {
  env: Record<string, string>;
  child: ChildProcess;
  dir: string;
}

async function startSoundServer(): Promise<SoundServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nofear-pulse-'));
  const home = path.join(dir, 'home');
  mkdirSync(home);
  const socket = path.join(dir, 'native');
  const env = { PATH: '/usr/bin:/bin', HOME: home, XDG_RUNTIME_DIR: dir, PULSE_SERVER: `unix:${socket}` };
  // prettier-ignore
  const child = spawn('pulseaudio', [
    '-n', '--daemonize=no', '--exit-idle-time=-1', '--use-pid-file=no', '--system=no', '--log-target=stderr',
    '--load=module-null-sink sink_name=nofeartest rate=44100 channels=2',
    `--load=module-native-protocol-unix auth-anonymous=1 socket=${socket}`,
  ], { env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const exited = exitOf(child);
  let gone = false;
  void exited.then(() => (gone = true));
  const ready = await pollUntil(async () => gone || (await execa('pactl', ['info'], { env, extendEnv: false, reject: false })).exitCode === 0, 30_000, 100);
  assert.ok(ready && !gone, `the test's PulseAudio did not start: ${log}`);
  return { env, child, dir };
}

/** Records the null sink's monitor until `enough` says so about what came so far, or `until` settles. */
function recordMonitor(server: SoundServer, file: string, enough: (pcm: Buffer) => boolean, until: Promise<unknown>): Promise<Buffer> {
  const parec = spawn('parec', ['-d', 'nofeartest.monitor', '--raw', '--format=s16le', '--rate=44100', '--channels=2', '--latency-msec=50', `--client-name=${RECORDER}`], {
    env: server.env,
    stdio: ['ignore', 'pipe', 'ignore'],
    detached: true,
  });
  const chunks: Buffer[] = [];
  let total = 0;
  return new Promise((resolve) => {
    const finish = () => {
      const pcm = Buffer.concat(chunks);
      writeFileSync(file, pcm);
      void stopGroup(parec.pid, exitOf(parec), 1000).then(() => resolve(pcm));
    };
    parec.stdout?.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      total += chunk.length;
      if (enough(Buffer.concat(chunks).subarray(Math.max(0, total - BYTES_PER_SECOND)))) finish();
    });
    void until.then(finish, finish);
  });
}

/** sox's RMS amplitude of raw s16le stereo PCM. */
async function soxRms(file: string): Promise<number> {
  const result = await execa('sox', ['-t', 'raw', '-r', '44100', '-c', '2', '-b', '16', '-e', 'signed-integer', file, '-n', 'stat'], { reject: false });
  const rms = /^RMS\s+amplitude:\s+([0-9.]+)/m.exec(result.stderr)?.[1];
  assert.ok(rms !== undefined, `sox stat printed no RMS: ${result.stderr}`);
  return Number(rms);
}

/** A quick RMS (0..1) of the last second, to know when to stop recording; sox has the last word. */
function rmsOf(pcm: Buffer): number {
  const samples = Math.floor(pcm.length / 2);
  if (samples === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples; i++) sum += (pcm.readInt16LE(i * 2) / 32768) ** 2;
  return Math.sqrt(sum / samples);
}

async function pactlList(server: SoundServer, what: string): Promise<string> {
  return (await execa('pactl', ['list', what], { env: server.env, extendEnv: false })).stdout;
}

describe('sound: the guest plays on the host, never records (real PulseAudio, QEMU, Xpra)', function () {
  // Under TCG a sound open is slow: the guest's server starts GStreamer twice (its query, then its recorder).
  this.timeout(540_000);
  let t: TestEnv;
  let x: Display;
  let dir: string;
  let server: SoundServer;
  suiteDisplay((display) => (x = display));
  perTestEnv('nofear-sound-', (env, tmp) => {
    t = env;
    dir = tmp;
  });
  before(async () => {
    server = await startSoundServer();
  });
  after(async () => {
    if (server !== undefined) await stopGroup(server.child.pid, exitOf(server.child), 2000);
    if (server !== undefined) rmSync(server.dir, { recursive: true, force: true });
  });

  function prepare(): string {
    const wav = path.join(dir, 'tone.wav');
    // Long enough to outlast the guest's sound start (its Xpra server records only once its GStreamer
    // subprocess is up: about a minute under TCG); small at 8 kHz mono (the guest's PulseAudio resamples).
    execaSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', wav, 'synth', '300', 'sine', '440', 'vol', '0.5']);
    const apps = path.join(t.dataHome, 'applications');
    mkdirSync(apps, { recursive: true });
    writeFileSync(path.join(apps, PLAYER), '[Desktop Entry]\nType=Application\nName=WAV player\nExec=xterm -hold -e paplay %f\nMimeType=audio/x-wav;audio/wav;\n');
    return wav;
  }

  it('plays a WAV through the host sound server (its monitor hears it), and the guest is offered no source', async () => {
    const wav = prepare();
    const run = startCli('nofear-open', ['--no-service', '--wait', '--verbose', '--with', PLAYER, wav], t, { env: { DISPLAY: x.display, ...server.env } });
    await reportedWindow(run, WINDOW_DEADLINE);
    const heard = await recordMonitor(
      server,
      path.join(dir, 'heard.raw'),
      (last) => last.length >= BYTES_PER_SECOND && rmsOf(last) > AUDIBLE_RMS,
      Promise.race([run, new Promise((resolve) => setTimeout(resolve, SOUND_DEADLINE))]),
    );
    // While NoFear plays: every recording stream is the test's own, and no Xpra client is connected.
    const streams = { sources: await pactlList(server, 'source-outputs'), clients: await pactlList(server, 'clients') };
    const last = heard.subarray(Math.max(0, heard.length - BYTES_PER_SECOND));
    writeFileSync(path.join(dir, 'last.raw'), last);
    const rms = await soxRms(path.join(dir, 'last.raw'));
    process.stderr.write(`      sound: ${(heard.length / BYTES_PER_SECOND).toFixed(1)} s recorded after the window, RMS of the last second ${rms}\n`);
    if (!(rms > AUDIBLE_RMS)) {
      run.kill('SIGTERM');
      assert.fail(`the sink's monitor heard no tone (RMS ${rms}); nofear-open said:\n${Buffer.from((await run).stderr).toString().slice(-6000)}`);
    }
    const recorders = [...streams.sources.matchAll(/application\.name = "([^"]*)"/g)].map((m) => m[1]);
    assert.deepEqual(recorders, [RECORDER], `only the test records from the server:\n${streams.sources}`);
    assert.doesNotMatch(streams.clients, /application\.name = "Xpra/i, 'the Xpra client never reaches the sound server');
    assert.match(streams.clients, /application\.name = "NoFear"/, "NoFear's player is the one client of NoFear's");
    run.kill('SIGTERM');
    await run;
  });

  it('with --no-sound, the sink hears silence while the same WAV plays in the VM', async () => {
    const wav = prepare();
    const run = startCli('nofear-open', ['--no-service', '--wait', '--verbose', '--no-sound', '--with', PLAYER, wav], t, { env: { DISPLAY: x.display, ...server.env } });
    await reportedWindow(run, WINDOW_DEADLINE);
    const heard = await recordMonitor(server, path.join(dir, 'heard.raw'), (pcm) => pcm.length >= 20 * BYTES_PER_SECOND, run);
    const rms = await soxRms(path.join(dir, 'heard.raw'));
    process.stderr.write(`      no sound: ${(heard.length / BYTES_PER_SECOND).toFixed(1)} s recorded, RMS ${rms}\n`);
    assert.ok(heard.length >= BYTES_PER_SECOND, 'the monitor was recorded for at least a second');
    assert.ok(rms < 0.001, `the sink heard something (RMS ${rms})`);
    assert.doesNotMatch(await pactlList(server, 'clients'), /application\.name = "NoFear"/, 'no player was started');
    run.kill('SIGTERM');
    await run;
  });
});
