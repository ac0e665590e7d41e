// parseConfig: values land in Config, mistakes become problems with file and line, defaults stay.
import assert from 'node:assert/strict';
import { formatProblem, parseConfig, problemError, type ConfigResult } from '../../../src/config/index.js';
import { defaultConfig } from '../../../src/config/types.js';

const FILE = '/home/ann/.config/nofear/config.ini';
const parse = (text: string): ConfigResult => parseConfig(text, FILE, { hostMemoryMiB: 16_000 });
const lines = (...text: string[]) => `${text.join('\n')}\n`;

describe('config/parseConfig', () => {
  it('gives the documented defaults for an empty file, all sourced "default"', () => {
    const { config, sources, problems } = parse('');
    assert.deepEqual(problems, []);
    assert.deepEqual(config, {
      vm: { memoryMiB: 1024, cpus: 2, accel: 'auto', net: 'none', tbSizeMiB: 256 },
      gui: { border: { colour: 'OrangeRed', width: 3 }, clipboard: 'off', sound: 'media' },
      profiles: {},
      open: { maxFileSizeBytes: 2 * 1024 ** 3 },
      service: { maxSandboxes: 4, maxGuestMemoryMiB: 8192, idleExitSeconds: 60, queueTimeoutSeconds: 30 },
      pool: { size: 'auto', memoryMiB: 'auto', minAvailableMemoryMiB: 2048, idleTimeoutSeconds: 900 },
      links: { trusted: [], lan: true, reuseSeconds: 0 },
      trust: { places: ['xdg:DOWNLOAD', '/run/media/$USER', '$XDG_RUNTIME_DIR/gvfs', '/tmp/mozilla_${USER}0'], policy: 'everything', watch: false },
      convert: { ocrLanguages: '' },
    });
    assert.equal(Object.keys(sources).length, 24);
    assert.ok(Object.values(sources).every((s) => s === 'default'));
  });

  it('reads every setting of a good file and records its line', () => {
    const { config, sources, problems } = parse(
      lines(
        '; NoFear settings',
        '[vm]',
        'memory = 2048',
        'cpus = 4',
        'accel = tcg',
        'net = user',
        'tb_size = 64',
        '',
        '[gui]',
        'border = DodgerBlue,5',
        'clipboard = to-guest',
        'sound = always',
        '[open]',
        'max_file_size = 100M',
        '[service]',
        'max_sandboxes = 2',
        'max_guest_memory = 4096',
        'idle_exit = 0',
        'queue_timeout = 5',
        '[pool]',
        'size = 0',
        'min_available_memory = 1024',
        'idle_timeout = 120',
        'memory = 1536M',
        '[links]',
        'trusted = example.org',
        'lan = no',
        'reuse_seconds = 30',
        '[trust]',
        'places = xdg:DOWNLOAD, ~/Mail attachments, $XDG_RUNTIME_DIR/gvfs',
        'policy = marked',
        'watch = on',
        '[convert]',
        'ocr_languages = deu+eng',
      ),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(config.vm, { memoryMiB: 2048, cpus: 4, accel: 'tcg', net: 'user', tbSizeMiB: 64 });
    assert.deepEqual(config.gui, { border: { colour: 'DodgerBlue', width: 5 }, clipboard: 'to-guest', sound: 'always' });
    assert.equal(config.open.maxFileSizeBytes, 100 * 1024 ** 2);
    assert.deepEqual(config.service, { maxSandboxes: 2, maxGuestMemoryMiB: 4096, idleExitSeconds: 0, queueTimeoutSeconds: 5 });
    assert.deepEqual(config.pool, { size: 0, memoryMiB: 1536, minAvailableMemoryMiB: 1024, idleTimeoutSeconds: 120 });
    assert.equal(config.convert.ocrLanguages, 'deu+eng');
    assert.equal(sources['vm.memory'], `${FILE}:3`);
    assert.equal(sources['gui.border'], `${FILE}:10`);
    assert.equal(sources['pool.min_available_memory'], `${FILE}:22`);
    assert.deepEqual(config.links, { trusted: [{ host: 'example.org', subdomains: false }], lan: false, reuseSeconds: 30 });
    assert.deepEqual(config.trust, { places: ['xdg:DOWNLOAD', '~/Mail attachments', '$XDG_RUNTIME_DIR/gvfs'], policy: 'marked', watch: true });
    assert.ok(Object.values(sources).every((s) => s !== 'default'));
  });

  it('takes [pool] size and memory as auto or a value, and names both choices for a bad one', () => {
    assert.deepEqual(parse(lines('[pool]', 'size = 3', 'memory = 3G')).config.pool, { size: 3, memoryMiB: 3072, minAvailableMemoryMiB: 2048, idleTimeoutSeconds: 900 });
    assert.deepEqual(parse(lines('[pool]', 'size = AUTO', 'memory = auto')).config.pool, { size: 'auto', memoryMiB: 'auto', minAvailableMemoryMiB: 2048, idleTimeoutSeconds: 900 });
    const bad = parse(lines('[pool]', 'size = 9', 'memory = lots'));
    assert.equal(bad.config.pool.size, 'auto');
    assert.match(bad.problems.map((p) => formatProblem(p)).join('\n'), /size.*auto.*0\.\.8[\s\S]*memory.*auto/);
  });

  it('takes [links] lan as yes or no, and names both for anything else (keeping the default, yes)', () => {
    assert.equal(parse(lines('[links]', 'lan = yes')).config.links.lan, true);
    const bad = parse(lines('[links]', 'lan = off'));
    assert.equal(bad.config.links.lan, true);
    assert.match(bad.problems.map((p) => formatProblem(p)).join('\n'), /lan.*yes .*or no/);
  });

  it('takes [links] reuse_seconds as whole seconds; a negative or non-number value names the problem and what to write (keeping the default, 0)', () => {
    assert.equal(parse(lines('[links]', 'reuse_seconds = 120')).config.links.reuseSeconds, 120);
    for (const value of ['-5', 'soon', '1.5']) {
      const bad = parse(lines('[links]', `reuse_seconds = ${value}`));
      assert.equal(bad.config.links.reuseSeconds, 0, value);
      const text = bad.problems.map((p) => formatProblem(p)).join('\n');
      assert.match(text, new RegExp(`links\\.reuse_seconds = "${value.replace('.', '\\.')}"`), value);
      assert.match(text, /not a whole number[\s\S]*a whole number of seconds, 0\.\.86400 \(0 = every link in its own VM/, value);
    }
  });

  it('refuses a trust place that is not an absolute folder, and keeps the default places', () => {
    const { config, problems } = parse(lines('[trust]', 'places = Downloads, /ok'));
    assert.equal(config.trust.places[0], 'xdg:DOWNLOAD');
    assert.match(problems[0]?.message ?? '', /"Downloads" is not an absolute folder/);
  });

  it('reports a bad value with its key and line, and keeps the default', () => {
    const { config, sources, problems } = parse(lines('[vm]', 'cpus = 3', '', 'memory = lots'));
    assert.equal(config.vm.memoryMiB, 1024);
    assert.equal(sources['vm.memory'], 'default');
    assert.equal(config.vm.cpus, 3, 'the good setting beside it still applies');
    assert.equal(problems.length, 1);
    const [problem] = problems;
    assert.equal(problem?.line, 4);
    assert.equal(problem?.setting, 'vm.memory');
    assert.equal(problem?.code, 'InvalidArgument');
    const text = formatProblem(problem!);
    assert.match(text, /^\/home\/ann\/\.config\/nofear\/config\.ini:4: vm\.memory = "lots"/);
    assert.match(text, /128M to 16000M/, 'says what is allowed, bounded by host RAM');
    assert.match(text, /default, 1024/);
  });

  it('takes memory as MiB or with M, G or T, like nofear --mem', () => {
    const { config, problems } = parse(lines('[vm]', 'memory = 2G', '[service]', 'max_guest_memory = 8192M', '[pool]', 'min_available_memory = 1g'));
    assert.deepEqual(problems, []);
    assert.equal(config.vm.memoryMiB, 2048);
    assert.equal(config.service.maxGuestMemoryMiB, 8192);
    assert.equal(config.pool.minAvailableMemoryMiB, 1024);
  });

  it('refuses out-of-range numbers and unknown choices', () => {
    const { config, problems } = parse(lines('[vm]', 'memory = 64', 'cpus = 65', 'accel = xen', 'net = bridge', 'tb_size = 4096', '[pool]', 'size = 9', '[service]', 'max_sandboxes = 0'));
    assert.deepEqual(config, defaultConfig());
    assert.deepEqual(
      problems.map((p) => [p.setting, p.line]),
      [
        ['vm.memory', 2],
        ['vm.cpus', 3],
        ['vm.accel', 4],
        ['vm.net', 5],
        ['vm.tb_size', 6],
        ['pool.size', 8],
        ['service.max_sandboxes', 10],
      ],
    );
    assert.match(problems[2]!.message, /auto, kvm or tcg/);
  });

  it('bounds vm.memory by the host RAM it is given', () => {
    assert.equal(parseConfig('[vm]\nmemory = 3000\n', FILE, { hostMemoryMiB: 2048 }).config.vm.memoryMiB, 1024);
    assert.equal(parseConfig('[vm]\nmemory = 3000\n', FILE, { hostMemoryMiB: 4096 }).config.vm.memoryMiB, 3000);
  });

  it('reports unknown keys and sections with their lines, and suggests the likely name', () => {
    const { config, problems } = parse(lines('[vm]', 'memroy = 2048', '[VM]', 'memory = 2048', '[gui]', 'colour = red'));
    assert.equal(config.vm.memoryMiB, 1024);
    assert.equal(problems.length, 3);
    assert.equal(problems[0]?.line, 2);
    assert.match(problems[0]!.message, /unknown key memroy in \[vm\] \(did you mean memory\?\)/);
    assert.equal(problems[1]?.line, 3);
    assert.match(problems[1]!.message, /unknown section \[VM\] \(did you mean \[vm\]\?\)/);
    assert.equal(problems[2]?.setting, 'gui.colour');
    assert.equal(problems[2]?.line, 6);
  });

  it('reports keys written before any section', () => {
    const { config, problems } = parse('memory = 2048\n[vm]\n');
    assert.equal(config.vm.memoryMiB, 1024);
    assert.equal(problems[0]?.line, 1);
    assert.match(problems[0]!.message, /outside any section.*\[vm\]/);
  });

  it('takes size suffixes for open.max_file_size', () => {
    const size = (value: string) => parse(`[open]\nmax_file_size = ${value}\n`);
    assert.equal(size('1073741824').config.open.maxFileSizeBytes, 1024 ** 3);
    assert.equal(size('300K').config.open.maxFileSizeBytes, 300 * 1024);
    assert.equal(size('64m').config.open.maxFileSizeBytes, 64 * 1024 ** 2);
    assert.equal(size('3G').config.open.maxFileSizeBytes, 3 * 1024 ** 3);
    const bad = size('3 gigs');
    assert.equal(bad.config.open.maxFileSizeBytes, 2 * 1024 ** 3);
    assert.equal(bad.problems[0]?.line, 2);
    assert.match(bad.problems[0]!.message, /K, M, G or T/);
  });

  it('reads per-profile borders, dotted names included, and inherits the [gui] width', () => {
    const { config, sources, problems } = parse(lines('[gui]', 'border = gold,6', '[profile.work]', 'border = #3366ff', '[profile.bank.eu]', 'border = "SeaGreen3, 2" ; quoted'));
    assert.deepEqual(problems, []);
    assert.deepEqual(config.profiles, {
      work: { border: { colour: '#3366ff', width: 6 } },
      'bank.eu': { border: { colour: 'SeaGreen3', width: 2 } },
    });
    assert.equal(sources['profile.work.border'], `${FILE}:4`);
    assert.equal(sources['profile.bank.eu.border'], `${FILE}:6`);
  });

  it('reports bad profile sections and keys; the profile falls back to gui.border', () => {
    const { config, problems } = parse(lines('[profile.work]', 'border = octarine', 'colour = red', '[profile.-bad]', 'border = red', '[profile]', 'border = red'));
    assert.deepEqual(config.profiles, {});
    assert.deepEqual(
      problems.map((p) => [p.setting, p.line]),
      [
        ['profile.work.border', 2],
        ['profile.work.colour', 3],
        ['[profile.-bad]', 4],
        ['[profile]', 6],
      ],
    );
    assert.match(problems[0]!.message, /unknown colour "octarine".*keeps gui\.border, OrangeRed,3/);
    assert.match(problems[3]!.message, /\[profile\.NAME\]/);
  });

  it('accepts an unquoted #rrggbb, which ini alone would read as a comment', () => {
    const { config, problems } = parse('[gui]\nborder = #ff4500,4 ; orange\n');
    assert.deepEqual(problems, []);
    assert.deepEqual(config.gui.border, { colour: '#ff4500', width: 4 });
  });

  it('points at the occurrence that wins when a key or section repeats', () => {
    const { config, sources, problems } = parse(lines('[vm]', 'cpus = 4', '[gui]', '[vm]', 'cpus = many'));
    assert.equal(config.vm.cpus, 2);
    assert.equal(problems[0]?.line, 5);
    assert.equal(sources['vm.cpus'], 'default');
  });

  it('reports bare keys, lists and JSON-looking values instead of coercing them', () => {
    const { config, problems } = parse(lines('[vm]', 'cpus', 'tb_size[] = 64', '[gui]', 'clipboard = true'));
    assert.deepEqual(config, defaultConfig());
    assert.deepEqual(
      problems.map((p) => p.line),
      [2, 3, 5],
    );
    assert.match(problems[0]!.message, /vm\.cpus: no value/);
    assert.match(problems[1]!.message, /list/);
    assert.match(problems[2]!.message, /clipboard = "true"/);
  });

  it('numbers lines as an editor does, across CRLF, blank lines and a BOM', () => {
    const { problems } = parse('\uFEFF[vm]\r\n\r\n; comment\r\ncpus = 0\r\n');
    assert.equal(problems[0]?.line, 4);
  });

  it('turns a problem into a typed NoFear error that names the fix', () => {
    const [problem] = parse('[vm]\ncpus = 0\n').problems;
    const error = problemError(problem!);
    assert.equal(error.code, 'InvalidArgument');
    assert.match(error.message, /config\.ini:2: vm\.cpus/);
    assert.equal(error.fix, `edit ${FILE} (line 2)`);
  });
});
