import assert from 'node:assert/strict';
import { parseOpenArgs, type OpenArgs } from '../../../src/cli/nofear-open-args.js';
import { isSystemView, stagedNameFor } from '../../../src/open/check.js';
import { classifyTarget } from '../../../src/open/target.js';
import { NoFearError } from '../../../src/errors.js';
import { openRequest } from '../../../src/sandbox/open-file.js';
import { defaultConfig } from '../../../src/config/index.js';
import type { OpenPlan } from '../../../src/open/open-plan.js';

function open(argv: string[]): OpenArgs {
  const parsed = parseOpenArgs(argv);
  assert.equal(parsed.kind, 'open');
  return (parsed as { args: OpenArgs }).args;
}

describe('nofear-open arguments', () => {
  it('reads its options and stops at the first file', () => {
    const args = open(['--with', 'org.gnome.Evince', '--wait', '--dry-run', '-v', 'a.pdf', '--not-an-option.pdf']);
    assert.equal(args.viewer, 'org.gnome.Evince');
    assert.equal(args.wait, true);
    assert.equal(args.dryRun, true);
    assert.equal(args.verbose, true);
    assert.deepEqual(args.targets, ['a.pdf', '--not-an-option.pdf']);
    assert.deepEqual(open(['--', '-leading-dash.pdf']).targets, ['-leading-dash.pdf']);
    assert.equal(open(['-q', 'a.pdf']).quiet, true);
  });
  it('answers --help and --version without a file', () => {
    assert.equal(parseOpenArgs(['--help']).kind, 'help');
    assert.equal(parseOpenArgs(['--version']).kind, 'version');
  });
  it('refuses unknown options, a missing file and persistent profiles', () => {
    for (const argv of [['--bogus', 'a'], [], ['--with'], ['--profile', 'work', 'a.pdf'], ['-qv', 'a.pdf']]) {
      assert.throws(
        () => parseOpenArgs(argv),
        (error: unknown) => error instanceof NoFearError && error.code === 'InvalidArgument' && !/^nofear-open\b/.test(error.message),
        argv.join(' '),
      );
    }
  });
});
describe('nofear-open --net', () => {
  it('gives a file a network only when asked (--net user); a web address always has one', () => {
    assert.equal(open(['a.html']).net, 'none');
    assert.equal(open(['--net', 'user', 'a.html']).net, 'user');
    assert.throws(() => parseOpenArgs(['--net', 'host', 'a.html']));
    const plan = { kind: 'file', file: '/a.html', size: 1 } as OpenPlan;
    assert.equal(openRequest(plan, defaultConfig()).net, 'none');
    assert.equal(openRequest({ ...plan, net: 'user' }, defaultConfig()).net, 'user');
    assert.equal(openRequest({ ...plan, kind: 'url' }, defaultConfig()).net, 'user');
  });
});

describe('nofear-open --convert and --edit arguments', () => {
  it('reads --convert with --output and --ocr, --edit with --save-back (ask by default)', () => {
    const convert = open(['--convert', '--output', '/tmp/out', '--ocr', 'a.pdf', 'b.png']);
    assert.deepEqual([convert.convert, convert.output, convert.ocr, convert.edit, convert.targets], [true, '/tmp/out', true, false, ['a.pdf', 'b.png']]);
    assert.equal(open(['--convert', '--password-stdin', 'a.pdf']).passwordStdin, true);
    assert.equal(open(['--convert', 'a.pdf']).passwordStdin, false);
    assert.equal(open(['--edit', 'a.odt']).saveBack, 'ask');
    assert.equal(open(['--edit', '--save-back=never', 'a.odt']).saveBack, 'never');
    assert.equal(open(['--edit', '--with', 'libreoffice-writer.desktop', '--save-back', 'always', 'a.odt']).saveBack, 'always');
  });
  it('refuses options that belong to the other mode, or to none', () => {
    const refusals: ReadonlyArray<[string[], RegExp]> = [
      [['--convert', '--edit', 'a.pdf'], /--convert and --edit exclude each other/],
      [['--ocr', 'a.pdf'], /--ocr goes with --convert/],
      [['--output', '/tmp', 'a.pdf'], /--output goes with --convert/],
      [['--password-stdin', 'a.pdf'], /--password-stdin goes with --convert/],
      [['--convert', '--with', 'mupdf', 'a.pdf'], /--convert opens none/],
      [['--save-back=always', 'a.pdf'], /--save-back goes with --edit/],
      [['--edit', '--save-back=sometimes', 'a.pdf'], /sometimes/],
    ];
    for (const [argv, message] of refusals) {
      assert.throws(
        () => parseOpenArgs(argv),
        (error: unknown) => error instanceof NoFearError && error.code === 'InvalidArgument' && message.test(error.message),
        argv.join(' '),
      );
    }
  });
});
describe('targets', () => {
  it('turns file:// URIs into paths and keeps web addresses', () => {
    assert.deepEqual(classifyTarget('/tmp/a b.pdf'), { kind: 'file', path: '/tmp/a b.pdf' });
    assert.deepEqual(classifyTarget('file:///tmp/a%20b.pdf'), { kind: 'file', path: '/tmp/a b.pdf' });
    assert.deepEqual(classifyTarget('https://example.org/x'), { kind: 'url', url: 'https://example.org/x', scheme: 'https' });
    assert.throws(() => classifyTarget('file://otherhost/etc/passwd'), /another host/);
    assert.deepEqual(classifyTarget('HTTP://example.org/'), { kind: 'url', url: 'http://example.org/', scheme: 'http' });
    assert.throws(() => classifyTarget('ftp://example.org/x'), /not ftp:\/\/ URIs/);
  });
  it('takes anything that is not an absolute URI with // as a path, whatever its characters', () => {
    for (const name of ['https:attacker.example', 'http:/x', 'javascript:alert(1)', 'file:/etc/passwd', 'mailto:a@b', 'a:b']) {
      assert.deepEqual(classifyTarget(name), { kind: 'file', path: name }, name);
    }
  });
  it("refuses kernel, device and /run views, except the user's removable media and document portal files", () => {
    const table: Array<[string, boolean]> = [
      ['/proc/self/environ', true],
      ['/sys/kernel/uevent_seqnum', true],
      ['/dev/null', true],
      ['/run/dbus/system_bus_socket', true],
      ['/run', true],
      ['/run/user/1000/bus', true],
      ['/run/user/1000/doc', true],
      ['/run/user/1001/doc/a1/x.pdf', true],
      ['/run/media/bob/usb/x.pdf', true],
      ['/run/media/alice', true],
      ['/running/x.pdf', false],
      ['/home/alice/run/x.pdf', false],
      ['/run/media/alice/USB STICK/x.pdf', false],
      ['/run/user/1000/doc/a1b2c3/x.pdf', false],
    ];
    for (const [file, refused] of table) assert.equal(isSystemView(file, 'alice', 1000), refused, file);
  });
  it('stages under the base name, never escaping the staging dir', () => {
    assert.equal(stagedNameFor('/home/u/report.pdf'), 'report.pdf');
    assert.equal(stagedNameFor('/home/u/; rm -rf ~ #.pdf'), '; rm -rf ~ #.pdf');
    assert.equal(stagedNameFor('/'), 'file');
    assert.equal(stagedNameFor('/a/..'), 'file');
  });
});
