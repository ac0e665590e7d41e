// The three commands as users run them (compiled dist/, real processes, no VM): every command and
// subcommand answers --help and --version; each bad input is one line, prefixed once, whose fix works.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeTestEnv, ROOT, runCli, type CliResult, type TestEnv } from '../helpers/cli.js';
import { optionsOf, type CommandSpec } from '../../src/cli/grammar.js';
import { NOFEAR_OPEN_SPEC, NOFEAR_SPEC } from '../../src/cli/spec-nofear.js';
import { NOFEARCTL_SPEC } from '../../src/cli/spec-nofearctl.js';
import { formatMiB } from '../../src/config/values.js';

type Program = 'nofear' | 'nofear-open' | 'nofearctl';
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const everyCommand = (c: CommandSpec): CommandSpec[] => [c, ...(c.subcommands ?? []).flatMap(everyCommand)];

/** One line on stderr, starting with "PROGRAM: " and naming the program nowhere else, with a fix. */
function assertOneLineError(result: CliResult, program: Program): string {
  const line = result.stderr.replace(/\n$/, '');
  assert.equal(result.exitCode, 125, result.stderr);
  assert.equal(line.split('\n').length, 1, `not one line: ${result.stderr}`);
  assert.ok(line.startsWith(`${program}: `), line);
  assert.equal(line.split(`${program}:`).length - 1, 1, `prefixed more than once: ${line}`);
  assert.match(line, / Fix: \S/);
  return line;
}

describe('command-line grammar (compiled commands)', function () {
  let t: TestEnv;
  let files: string;
  before(() => {
    t = makeTestEnv();
    files = mkdtempSync(path.join(os.tmpdir(), 'nofear-grammar-'));
  });
  after(() => {
    t.cleanup();
    rmSync(files, { recursive: true, force: true });
  });

  it('answers --help (exit 0, its own options listed, nothing run) and --version on every command and subcommand', async () => {
    const check = async (command: CommandSpec) => {
      const [program, ...words] = command.path as [Program, ...string[]];
      const help = await runCli(program, [...words, '--help'], t);
      const out = help.stdout.toString();
      assert.equal(help.exitCode, 0, `${command.path.join(' ')} --help: ${help.stderr}`);
      assert.ok(out.startsWith(`usage: ${command.path.join(' ')}`), out);
      for (const option of optionsOf(command)) assert.ok(out.includes(`--${option.long}`), `${command.path.join(' ')} --help lacks --${option.long}`);
      assert.doesNotMatch(out, /^(OK|WARN|FAIL) +node|^vm\.memory = /m, 'doctor or config ran instead of answering --help');
      const version = await runCli(program, [...words, '--version'], t);
      assert.equal(version.stdout.toString(), `${program} ${VERSION}\n`, `${command.path.join(' ')} --version`);
    };
    const commands = [NOFEAR_SPEC, NOFEAR_OPEN_SPEC, NOFEARCTL_SPEC].flatMap(everyCommand);
    // Four at a time: each is a Node start, and the machine's two cores are shared.
    for (let i = 0; i < commands.length; i += 4) await Promise.all(commands.slice(i, i + 4).map(check));
    const help = await runCli('nofearctl', ['help', 'ps'], t);
    assert.match(help.stdout.toString(), /^usage: nofearctl ps \[--json\]/);
  });

  it('refuses bad input with one line, prefixed once, whose fix is a command that works', async () => {
    const cases: Array<{ program: Program; argv: string[]; message: RegExp; fix: string[] }> = [
      { program: 'nofear-open', argv: ['--bogus'], message: /^nofear-open: unknown option --bogus\. Fix: nofear-open --help lists its options/, fix: ['--help'] },
      { program: 'nofear', argv: ['-tz', 'true'], message: /^nofear: unknown option -z \(in -tz\)\./, fix: ['--help'] },
      { program: 'nofear', argv: ['--net', 'bridge', 'true'], message: /^nofear: --net takes none or user, not "bridge"\. Fix: nofear --net none /, fix: ['--net', 'none', '--version'] },
      { program: 'nofearctl', argv: ['ps', '--bogus'], message: /^nofearctl: unknown option --bogus for ps\. Fix: nofearctl ps --help/, fix: ['ps', '--help'] },
      { program: 'nofearctl', argv: ['bogus'], message: /^nofearctl: unknown command "bogus"\. Fix: nofearctl --help/, fix: ['--help'] },
      {
        program: 'nofearctl',
        argv: ['integrate', 'install', '--default-for'],
        message: /Fix: nofearctl integrate install --default-for application\/pdf$/,
        fix: ['integrate', 'install', '--default-for', 'application/pdf', '--help'],
      },
      { program: 'nofearctl', argv: ['stop'], message: /^nofearctl: stop needs a sandbox id, a profile name or --all\./, fix: ['stop', '--all'] },
    ];
    for (const { program, argv, message, fix } of cases) {
      assert.match(assertOneLineError(await runCli(program, argv, t), program), message);
      const fixed = await runCli(program, fix, t);
      assert.equal(fixed.exitCode, 0, `${program} ${fix.join(' ')}: ${fixed.stderr}`);
    }
  });

  it("takes --mem in MiB or with a unit, and states the real range: the minimum and the host's RAM", async () => {
    const hostMiB = Math.floor(os.totalmem() / 1024 ** 2);
    for (const mem of ['64', '127M', `${hostMiB + 1}`, `${Math.ceil(hostMiB / 1024) + 1}G`]) {
      const line = assertOneLineError(await runCli('nofear', ['-t', '--mem', mem, 'true'], t), 'nofear');
      assert.ok(line.includes(`--mem takes 128M up to ${formatMiB(hostMiB)}, the host's RAM`), line);
    }
    const lots = assertOneLineError(await runCli('nofear', ['-t', '--mem', 'lots', 'true'], t), 'nofear');
    assert.match(lots, /--mem takes a size in MiB \(2048\) or with M, G or T \(512M, 2G\), not "lots"\. Fix: nofear --mem 2G CMD$/);
  });

  it('lists the installed viewers when --with names none, and retries with one that opens the file', async () => {
    const pdf = path.join(files, 'report.pdf');
    writeFileSync(pdf, '%PDF-1.4\n%%EOF\n');
    const line = assertOneLineError(await runCli('nofear-open', ['--dry-run', '--with', 'nosuch.desktop', pdf], t), 'nofear-open');
    assert.match(line, /No application nosuch\.desktop: not installed .*Installed for application\/pdf: .*mupdf\.desktop \(MuPDF\)/);
    const fix = /Fix: nofear-open (--with \S+) (\S+)$/.exec(line);
    assert.ok(fix, line);
    const retried = await runCli('nofear-open', ['--dry-run', ...(fix[1] ?? '').split(' '), fix[2] ?? ''], t);
    assert.equal(retried.exitCode, 0, retried.stderr);
    assert.match(retried.stdout.toString(), /^viewer: \S+\.desktop$/m);
  });

  it("a text file that only a terminal program opens goes to the VM's xterm and less; --with suggests no viewer that is not installed, and names the one that is", async () => {
    const notes = path.join(files, 'notes.txt');
    writeFileSync(notes, 'plain words\n');
    // Only a terminal program opens text/plain here: the VM cannot show it (Terminal=true).
    const apps = path.join(files, 'data', 'applications');
    mkdirSync(apps, { recursive: true });
    writeFileSync(path.join(apps, 'texteditor.desktop'), '[Desktop Entry]\nType=Application\nName=Terminal Editor\nExec=vi %f\nTerminal=true\nMimeType=text/plain;\n');
    // The system's MIME database, but none of its applications: what opens text/plain is only what is here.
    const system = path.join(files, 'system');
    mkdirSync(system);
    symlinkSync('/usr/share/mime', path.join(system, 'mime'));
    const env = { XDG_DATA_HOME: path.join(files, 'data'), XDG_DATA_DIRS: system };
    // The text viewer of last resort (issue 27; make deps installs xterm): an X terminal running less, in the VM.
    const fallback = await runCli('nofear-open', ['--dry-run', notes], t, { env });
    assert.equal(fallback.exitCode, 0, fallback.stderr.toString());
    assert.match(fallback.stdout.toString(), /^viewer: nofear:xterm-less$/m);
    assert.match(fallback.stdout.toString(), /^argv: \[".*\/xterm","-T","notes\.txt","-e",".*\/less","--","\/staging\/notes\.txt"\]$/m);
    assert.doesNotMatch(`${fallback.stdout.toString()}${fallback.stderr.toString()}`, /texteditor|Evince/, 'names an application that cannot run or is not installed');
    writeFileSync(path.join(apps, 'notes-viewer.desktop'), '[Desktop Entry]\nType=Application\nName=Notes Viewer\nExec=xmessage -file %f\nMimeType=text/plain;\n');
    const wrong = assertOneLineError(await runCli('nofear-open', ['--dry-run', '--with', 'nosuch', notes], t, { env }), 'nofear-open');
    assert.match(wrong, /Installed for text\/plain: notes-viewer\.desktop \(Notes Viewer\)\. Fix: nofear-open --with notes-viewer\.desktop /);
    const retried = await runCli('nofear-open', ['--dry-run', '--with', 'notes-viewer.desktop', notes], t, { env });
    assert.match(retried.stdout.toString(), /^viewer: notes-viewer\.desktop$/m, retried.stderr);
  });

  it('names the config.ini a limit lives in, and raising it there as the fix says lets the file open', async () => {
    const configHome = path.join(files, 'config');
    const configFile = path.join(configHome, 'nofear', 'config.ini');
    mkdirSync(path.dirname(configFile), { recursive: true });
    writeFileSync(configFile, '[open]\nmax_file_size = 1K\n');
    const big = path.join(files, 'big.pdf');
    writeFileSync(big, `%PDF-1.4\n${'x'.repeat(4096)}\n%%EOF\n`);
    const env = { XDG_CONFIG_HOME: configHome };
    const line = assertOneLineError(await runCli('nofear-open', ['--dry-run', big], t, { env }), 'nofear-open');
    const fix = new RegExp(`Fix: raise \\[open\\] max_file_size in ${configFile.replaceAll('/', '\\/')} \\(e\\.g\\. (max_file_size = \\S+)\\)$`).exec(line);
    assert.ok(fix, line);
    writeFileSync(configFile, `[open]\n${fix[1] ?? ''}\n`);
    const opened = await runCli('nofear-open', ['--dry-run', big], t, { env });
    assert.equal(opened.exitCode, 0, opened.stderr);
  });
});
