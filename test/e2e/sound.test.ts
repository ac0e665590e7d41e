// Sound out, never in, end to end: a PulseAudio daemon the test starts (a null sink, a private runtime dir,
// as this unprivileged user) stands for the user's sound server. A WAV the test makes with sox opens in a
// real VM with a player from Debian's packages (paplay in an xterm, pinned with --with); what reaches the
// host is measured on the null sink's monitor (parec) and with sox. The jailed Xpra client never connects
// to the server: only NoFear's playback-only pacat does, and nothing of NoFear records. Two VM boots: the
// WAV with sound, and with --no-sound (the sink then hears silence).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa, execaSync } from 'execa';
import { perTestEnv, runCli, startCli, type TestEnv } from '../helpers/cli.js';
import { reportedWindow, suiteDisplay, windowName, type Display } from '../helpers/xvfb.js';
import { execQuoted } from '../helpers/exec-script.js';
import { pollUntil } from '../../src/util/poll.js';
import { exitOf, stopGroup } from '../../src/util/child.js';

// Ends earlier when nofear-open does (its own deadlines: booted, server, attached with sound's extra).
const WINDOW_DEADLINE = 480_000;
// After the window: the guest's recorder starts (a minute under TCG on a busy machine); the tone lasts longer.
const SOUND_DEADLINE = 280_000;
const TONE_SECONDS = 300;
// With --no-sound there is no event to wait for (nothing must come): the sink is watched after the window
// for longer than the tone took to come through with sound on (about 13 s after the window in CI).
const SILENCE_WATCH_MS = 40_000;
const BYTES_PER_SECOND = 44_100 * 2 * 2;
// sox's RMS amplitude of the test tone (a 440 Hz sine at half scale) is about 0.35; silence is 0.
const AUDIBLE_RMS = 0.05;
const RECORDER = 'nofear-test-monitor';
const PLAYER = 'wav-player.desktop';
// The guest's own look for a way in: while paplay plays the file, the player's terminal records every
// source of the guest's sound server (Xpra's PulseAudio) but the monitor of its own speaker, 3 s at a
// time once Xpra's server has begun recording the speaker for the host, and puts in its title what it
// found: `guest check N: sources ...; SOURCE=RMS ...`. Were the host's microphone forwarded, it would
// be one of them, and loud: the host's default source is the test server's null-sink monitor, which
// carries the very tone the guest plays.
const GUEST_SPEAKER_MONITOR = 'Xpra-Speaker.monitor';
const GUEST_CHECK = [
  'paplay "$1" &',
  // Not before Xpra's server records the speaker for the host (a source output): a microphone would be
  // forwarded from then on, and the guest's CPU is left to the sound's start until then.
  'until [ -n "$(pactl list short source-outputs)" ]; do sleep 2; done;',
  'n=0; while :; do n=$((n+1)); all=; heard=;',
  'for s in $(pactl list short sources | cut -f2); do all="$all $s";',
  `[ "$s" = ${GUEST_SPEAKER_MONITOR} ] && continue;`,
  'r=$(parec -d "$s" --raw --format=s16le --rate=44100 --channels=2 | head -c 529200 | sox -t raw -r 44100 -c 2 -b 16 -e signed-integer - -n stat 2>&1 | sed -n "s/^RMS *amplitude: *//p");',
  'heard="$heard $s=${r:-none}"; done;',
  `printf '\\033]2;guest check %s: sources%s;%s\\007' "$n" "$all" "$heard"; sleep 1; done`,
].join(' ');
const GUEST_CHECK_TITLE = /guest check ([0-9]+): sources([^;]*);(.*)$/;

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

interface Recording {
  /** The second of sound `enough` accepted; undefined when `until` settles or parec dies first. */
  heard: Promise<Buffer | undefined>;
  /** Stops parec; everything recorded, also written to `file`. */
  stop(): Promise<Buffer>;
}

/** Records the null sink's monitor (parec) until stopped; `heard` settles on the event or on its producers' end. */
function recordMonitor(server: SoundServer, file: string, enough: (lastSecond: Buffer) => boolean, until: Promise<unknown>): Recording {
  const parec = spawn('parec', ['-d', 'nofeartest.monitor', '--raw', '--format=s16le', '--rate=44100', '--channels=2', '--latency-msec=50', `--client-name=${RECORDER}`], {
    env: server.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  parec.stderr?.on('data', (chunk: Buffer) => process.env.NOFEAR_TEST_SOUND_LOG && appendFileSync(process.env.NOFEAR_TEST_SOUND_LOG, `parec: ${chunk.toString()}`));
  const parecExited = exitOf(parec);
  void parecExited.then((how) => process.env.NOFEAR_TEST_SOUND_LOG && appendFileSync(process.env.NOFEAR_TEST_SOUND_LOG, `parec ended: ${JSON.stringify(how)}\n`));
  const chunks: Buffer[] = [];
  let total = 0;
  let heardResolve: (second: Buffer | undefined) => void = () => {};
  const heard = new Promise<Buffer | undefined>((resolve) => (heardResolve = resolve));
  parec.stdout?.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    total += chunk.length;
    const lastSecond = Buffer.concat(chunks).subarray(Math.max(0, total - BYTES_PER_SECOND));
    if (enough(lastSecond)) heardResolve(lastSecond);
  });
  void Promise.race([until, parecExited]).then(
    () => heardResolve(undefined),
    () => heardResolve(undefined),
  );
  return {
    heard,
    stop: async () => {
      await stopGroup(parec.pid, parecExited, 1000);
      const pcm = Buffer.concat(chunks);
      writeFileSync(file, pcm);
      return pcm;
    },
  };
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
  this.timeout(WINDOW_DEADLINE + SOUND_DEADLINE + 60_000);
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
    execaSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', wav, 'synth', String(TONE_SECONDS), 'sine', '440', 'vol', '0.5']);
    const apps = path.join(t.dataHome, 'applications');
    mkdirSync(apps, { recursive: true });
    writeFileSync(path.join(apps, PLAYER), `[Desktop Entry]\nType=Application\nName=WAV player\nExec=xterm -hold -e sh -c ${execQuoted(GUEST_CHECK)} sh %f\nMimeType=audio/x-wav;audio/wav;\n`);
    return wav;
  }

  // The plan says so (the VM's options are unit-tested: openGuiOptions, the client's --speaker=no, the
  // guest's `sound 0`); the next case hears the silence.
  it('an audio file gets the speaker by default; --no-sound turns it off (--dry-run)', async () => {
    const wav = prepare();
    const env = { env: { DISPLAY: x.display, PULSE_SERVER: server.env.PULSE_SERVER ?? '' } };
    const plain = await runCli('nofear-open', ['--dry-run', '--with', PLAYER, wav], t, env);
    assert.equal(plain.exitCode, 0, plain.stderr.toString());
    assert.match(plain.stdout.toString(), /^sound: speaker only$/m);
    const silent = await runCli('nofear-open', ['--dry-run', '--no-sound', '--with', PLAYER, wav], t, env);
    assert.equal(silent.exitCode, 0, silent.stderr.toString());
    assert.match(silent.stdout.toString(), /^sound: off$/m);
  });

  it('with --no-sound the sink hears silence while the guest plays the WAV, and NoFear never connects to the sound server', async () => {
    const wav = prepare();
    const run = startCli('nofear-open', ['--no-service', '--wait', '--verbose', '--no-sound', '--with', PLAYER, wav], t, {
      env: { DISPLAY: x.display, PULSE_SERVER: server.env.PULSE_SERVER ?? '' },
      timeoutMs: WINDOW_DEADLINE + SILENCE_WATCH_MS + 60_000,
    });
    let watchTimer: NodeJS.Timeout | undefined;
    try {
      await reportedWindow(run, WINDOW_DEADLINE);
      const watched = new Promise((resolve) => (watchTimer = setTimeout(resolve, SILENCE_WATCH_MS)));
      const recording = recordMonitor(server, path.join(dir, 'silence.raw'), (last) => last.length >= BYTES_PER_SECOND && rmsOf(last) > AUDIBLE_RMS, Promise.race([run, watched]));
      const audible = await recording.heard;
      const clients = await pactlList(server, 'clients');
      const heard = await recording.stop();
      assert.equal(run.exitCode, null, 'nofear-open ended while the sink was watched: the silence would prove nothing');
      assert.equal(audible, undefined, 'the sink heard the tone with --no-sound');
      assert.ok(heard.length >= (BYTES_PER_SECOND * (SILENCE_WATCH_MS - 10_000)) / 1000, `the sink was recorded for ${(heard.length / BYTES_PER_SECOND).toFixed(1)} s only`);
      writeFileSync(path.join(dir, 'all.raw'), heard);
      assert.ok((await soxRms(path.join(dir, 'all.raw'))) < 0.001, 'the sink carried sound');
      assert.doesNotMatch(clients, /application\.name = "NoFear"/, 'NoFear connected to the sound server with --no-sound');
    } finally {
      clearTimeout(watchTimer);
      run.kill('SIGTERM');
      await run;
    }
  });

  it("plays a WAV through the host sound server (its monitor hears it), and the guest is offered no source (nothing from the host in the guest's sources)", async () => {
    const wav = prepare();
    const run = startCli('nofear-open', ['--no-service', '--wait', '--verbose', '--with', PLAYER, wav], t, {
      env: { DISPLAY: x.display, PULSE_SERVER: server.env.PULSE_SERVER ?? '', ...(process.env.NOFEAR_TEST_SOUND_LOG ? { NOFEAR_CLIENT_LOG: '1', NOFEAR_CONSOLE: '1' } : {}) },
      timeoutMs: WINDOW_DEADLINE + SOUND_DEADLINE,
    });
    let said = '';
    let soundTimer: NodeJS.Timeout | undefined;
    void run.then((how) => process.env.NOFEAR_TEST_SOUND_LOG && appendFileSync(process.env.NOFEAR_TEST_SOUND_LOG, `nofear-open ended: ${how.exitCode} ${how.signal} ${how.timedOut}\n`));
    if (process.env.NOFEAR_TEST_SOUND_LOG) run.stderr?.on('data', (chunk: Buffer) => appendFileSync(String(process.env.NOFEAR_TEST_SOUND_LOG), chunk));
    run.stderr?.on('data', (chunk: Buffer) => (said = (said + chunk.toString()).slice(-8000)));
    try {
      const window = await reportedWindow(run, WINDOW_DEADLINE);
      const recording = recordMonitor(
        server,
        path.join(dir, 'heard.raw'),
        (last) => last.length >= BYTES_PER_SECOND && rmsOf(last) > AUDIBLE_RMS,
        Promise.race([run, new Promise((resolve) => (soundTimer = setTimeout(resolve, SOUND_DEADLINE)))]),
      );
      const audible = await recording.heard; // the first second the tone came through
      // While NoFear plays and the test records: every recording stream is the test's own, no Xpra
      // client is connected, and NoFear's one client plays.
      const streams = { sources: await pactlList(server, 'source-outputs'), sinks: await pactlList(server, 'sink-inputs'), clients: await pactlList(server, 'clients') };
      const heard = await recording.stop();
      // sox judges the second that came through (under TCG the guest's stream stalls now and then: a later
      // second may be silent), or, when none did, the last one.
      writeFileSync(path.join(dir, 'second.raw'), audible ?? heard.subarray(Math.max(0, heard.length - BYTES_PER_SECOND)));
      const rms = await soxRms(path.join(dir, 'second.raw'));
      process.stderr.write(`      sound: ${(heard.length / BYTES_PER_SECOND).toFixed(1)} s recorded after the window; ${audible ? 'the tone came through' : 'no tone'}, RMS ${rms}\n`);
      assert.ok(audible !== undefined && rms > AUDIBLE_RMS, `the sink's monitor heard no tone (RMS ${rms}); nofear-open said:\n${said}`);
      const recorders = [...streams.sources.matchAll(/application\.name = "([^"]*)"/g)].map((m) => m[1]);
      assert.deepEqual(recorders, [RECORDER], `only the test records from the server:\n${streams.sources}`);
      const players = [...streams.sinks.matchAll(/application\.name = "([^"]*)"/g)].map((m) => m[1]);
      assert.deepEqual(players, ['NoFear'], `NoFear's player is the one playback stream:\n${streams.sinks}`);
      assert.doesNotMatch(streams.clients, /application\.name = "Xpra/i, 'the Xpra client never reaches the sound server');
      assert.match(streams.clients, /application\.name = "NoFear"/, "NoFear's player is the one client of NoFear's");
      // Inside the guest: once the host heard the tone, two more of the guest's 3-second recordings of its
      // sources (both begun after that); every source but its speaker's monitor is silent.
      const guestCheck = async () => GUEST_CHECK_TITLE.exec(await windowName(x.display, window).catch(() => '')) ?? undefined;
      const first = await guestCheck();
      const after = Number(first?.[1] ?? 0) + 2;
      let seen: RegExpExecArray | undefined;
      await pollUntil(async () => Number((seen = await guestCheck())?.[1] ?? 0) >= after || run.exitCode !== null, 120_000, 500);
      assert.ok(seen !== undefined && Number(seen[1]) >= after, `the guest's check of its sources did not report twice more within 120 s (title: ${seen?.[0] ?? 'none'}); nofear-open said:\n${said}`);
      process.stderr.write(`      the guest's sources: ${seen[2]?.trim()}; recorded:${seen[3]}\n`);
      assert.ok((seen[2] ?? '').split(' ').includes(GUEST_SPEAKER_MONITOR), `the guest's sound server is not Xpra's (sources: ${seen[2]})`);
      for (const recorded of (seen[3] ?? '')
        .trim()
        .split(' ')
        .filter((word) => word !== '')) {
        const [source, rms] = recorded.split('=');
        assert.ok(rms !== undefined && rms !== 'none' && Number(rms) < 0.001, `the guest's source ${source} carries sound from the host (RMS ${rms})`);
      }
    } finally {
      clearTimeout(soundTimer);
      run.kill('SIGTERM');
      await run;
    }
  });
});
