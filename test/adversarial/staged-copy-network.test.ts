// The staged copy and the network, against a guest that is root and hostile (real VMs).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { leftoverSandboxes, makeTestEnv, runCli, type TestEnv } from '../helpers/cli.js';
import { startStagedVm } from '../helpers/staged-vm.js';
import { stageCopy } from '../../src/open/staging.js';
import { checkOpenable } from '../../src/open/check.js';

const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A throwaway VM (through the same Sandbox the CLI uses) with `file` staged, running `script` as root. */
async function runWithStaged(t: TestEnv, file: string, script: string): Promise<string> {
  const env = { ...process.env, ...t.env };
  const sandbox = await startStagedVm({
    env,
    export: { bytes: statSync(file).size, fill: async (dir) => void (await stageCopy(await checkOpenable(file, 1 << 20), dir, path.basename(file), 1 << 20)) },
    script,
    user: 'root',
  });
  const chunks: Buffer[] = [];
  sandbox.ports.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  sandbox.ports.stdin?.end();
  const outcome = await sandbox.outcome;
  await sandbox.dispose();
  assert.equal(outcome.kind, 'exited');
  return Buffer.concat(chunks).toString();
}

describe('staged copy', function () {
  let t: TestEnv;
  let dir: string;
  beforeEach(() => {
    t = makeTestEnv();
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-stage-'));
  });
  afterEach(() => {
    assert.deepEqual(leftoverSandboxes(t), [], 'a staging directory was left');
    t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves the original byte for byte and its mtime, whatever guest root does to its copy', async () => {
    const file = path.join(dir, 'report.pdf');
    writeFileSync(file, '%PDF-1.4 original\n');
    const before = { hash: digest(file), mtime: statSync(file).mtimeMs };
    const script = [
      'f=/staging/report.pdf',
      'cat "$f"',
      'echo tampered >> "$f" 2>/dev/null && echo APPENDED',
      'chmod 666 "$f" 2>/dev/null && echo CHMODDED',
      'mount -o remount,rw /staging 2>/dev/null; echo tampered > "$f" 2>/dev/null && echo OVERWROTE',
      'rm -f "$f" 2>/dev/null; [ -e "$f" ] || echo REMOVED',
      'touch -d 2001-01-01 "$f" 2>/dev/null && echo TOUCHED',
    ].join('\n');
    const out = await runWithStaged(t, file, script);
    assert.match(out, /%PDF-1.4 original/);
    assert.doesNotMatch(out, /APPENDED|CHMODDED|OVERWROTE|REMOVED|TOUCHED/);
    assert.deepEqual({ hash: digest(file), mtime: statSync(file).mtimeMs }, before);
  });

  it('puts two files opened at once in two VMs that cannot see each other', async () => {
    const first = path.join(dir, 'first-secret.pdf');
    const second = path.join(dir, 'second-secret.pdf');
    writeFileSync(first, 'one\n');
    writeFileSync(second, 'two\n');
    const look = "ls /staging; find / \\( -path /proc -o -path /sys -o -path /usr -o -path /opt -o -path /.lower \\) -prune -o -name '*-secret.pdf' -print";
    const [a, b] = await Promise.all([runWithStaged(t, first, look), runWithStaged(t, second, look)]);
    assert.deepEqual(a.trim().split('\n'), ['first-secret.pdf', '/staging/first-secret.pdf']);
    assert.deepEqual(b.trim().split('\n'), ['second-secret.pdf', '/staging/second-secret.pdf']);
  });
});

describe('network', function () {
  let t: TestEnv;
  let server: net.Server;
  let port: number;
  let connections = 0;
  before(async () => {
    server = net.createServer((socket) => {
      connections++;
      socket.end('host loopback service\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  after(() => server.close());
  beforeEach(() => {
    t = makeTestEnv();
    connections = 0;
  });
  afterEach(() => {
    assert.deepEqual(leftoverSandboxes(t), []);
    t.cleanup();
  });

  const probe = (p: number) =>
    `tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\\n' ' '; echo; for a in 10.0.2.2 127.0.0.1 10.0.2.3; do nc -w 3 $a ${p} </dev/null && echo REACHED-$a; done; true`;

  it('has no interface but lo by default and cannot reach a listener on the host loopback', async () => {
    const result = await runCli('nofear', ['-t', '--root', '--', 'sh', '-c', probe(port)], t);
    assert.equal(result.exitCode, 0, result.stderr);
    const [interfaces, ...rest] = result.stdout.toString().trim().split('\n');
    assert.equal(interfaces?.trim(), 'lo');
    assert.deepEqual(rest, []);
    assert.equal(connections, 0);
  });

  it('with --net user, gets a NIC through passt that still cannot reach the host loopback', async () => {
    const result = await runCli('nofear', ['-t', '--root', '--net', 'user', '--', 'sh', '-c', `${probe(port)}; ip -4 addr show eth0 | grep -o 'inet [0-9.]*'`], t);
    assert.equal(result.exitCode, 0, result.stderr);
    const out = result.stdout.toString();
    assert.match(out.split('\n')[0] ?? '', /\beth0\b/);
    assert.doesNotMatch(out, /REACHED/);
    assert.match(out, /inet 10\.0\.2\.15/);
    assert.equal(connections, 0, 'the guest reached a service on the host loopback');
  });
});
