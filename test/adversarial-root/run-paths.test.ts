// Issue 17, targets under /run (root: a private mount namespace with a tmpfs on /run, so the host's /run
// is never touched). The user's removable media (/run/media/$USER/...) and document portal files
// (/run/user/$UID/doc/...) open like any file: planned and staged; the rest of /run stays refused.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { ROOT } from '../helpers/cli.js';
import { samplePdf } from '../../src/demo/sample-pdf.js';

/** Runs inside `unshare -m`: mounts a tmpfs on /run, puts the sample at each path, then opens each. */
const DRIVER = `
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
const [root, sample, ...files] = process.argv.slice(2);
const { checkOpenable } = await import(path.join(root, 'dist/open/check.js'));
const { stageCopy } = await import(path.join(root, 'dist/open/staging.js'));
execFileSync('mount', ['--make-rprivate', '/']);
execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=755', 'nofear-test-run', '/run']);
const results = [];
for (const file of files) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, readFileSync(sample));
  const dry = spawnSync(process.execPath, [path.join(root, 'dist/cli/nofear-open.js'), '--dry-run', file], { encoding: 'utf8' });
  let staged;
  try {
    const exportDir = mkdtempSync('/tmp/nofear-run-paths-export-');
    const copy = await stageCopy(await checkOpenable(file, 1 << 20), exportDir, path.basename(file), 1 << 20);
    staged = createHash('sha256').update(readFileSync(copy)).digest('hex');
  } catch (error) {
    staged = 'refused: ' + error.message;
  }
  results.push({ file, exitCode: dry.status, stdout: dry.stdout, stderr: dry.stderr, staged });
}
process.stdout.write(JSON.stringify(results));
`;

interface Result {
  file: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  staged: string;
}

describe('targets under /run (root, private mount namespace)', function () {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-run-paths-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('opens files under /run/media/$USER and /run/user/$UID/doc like any file, and refuses the rest of /run', async () => {
    const user = os.userInfo().username;
    const uid = process.getuid?.() ?? 0;
    const opens = [`/run/media/${user}/USB STICK/report.pdf`, `/run/user/${uid}/doc/a1b2c3/report.pdf`];
    const refused = ['/run/other/report.pdf', '/run/media/someone-else/report.pdf', `/run/user/${uid}/notdoc/report.pdf`, `/run/user/${uid + 1}/doc/a1/report.pdf`];
    const sample = path.join(dir, 'sample.pdf');
    writeFileSync(sample, samplePdf());
    const driver = path.join(dir, 'driver.mjs');
    writeFileSync(driver, DRIVER);
    const env = { ...process.env, XDG_DATA_HOME: path.join(dir, 'data'), XDG_CONFIG_HOME: path.join(dir, 'config') };
    const run = await execa('unshare', ['-m', '--', process.execPath, driver, ROOT, sample, ...opens, ...refused], { env, reject: false });
    assert.equal(run.exitCode, 0, run.stderr);
    const results = JSON.parse(run.stdout) as Result[];
    const digest = (await execa('sha256sum', [sample])).stdout.split(' ')[0];
    for (const result of results.filter((r) => opens.includes(r.file))) {
      assert.equal(result.exitCode, 0, `${result.file}: ${result.stderr}`);
      assert.match(result.stdout, /^file: .*\nmime: application\/pdf\n/, result.file);
      assert.equal(result.staged, digest, result.file);
    }
    for (const result of results.filter((r) => refused.includes(r.file))) {
      assert.equal(result.exitCode, 125, result.file);
      assert.match(result.stderr, /is a view of the system .*not a document/, result.file);
      assert.match(result.staged, /^refused: .*view of the system/, result.file);
    }
    assert.equal(results.length, opens.length + refused.length);
  });
});
