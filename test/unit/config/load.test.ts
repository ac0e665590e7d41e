// loadConfig and `nofearctl config` output: the file under XDG_CONFIG_HOME, NOFEAR_ACCEL, unreadable files.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyEnvOverrides, parseConfig } from '../../../src/config/index.js';
import { formatEffectiveConfig } from '../../../src/config/format.js';
import { configPath, loadConfig } from '../../../src/config/load.js';
import { defaultConfig } from '../../../src/config/types.js';

describe('config/loadConfig', () => {
  let dir: string;
  let env: Record<string, string>;
  const write = (text: string) => {
    mkdirSync(path.dirname(configPath(env)), { recursive: true });
    writeFileSync(configPath(env), text);
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nofear-config-'));
    env = { HOME: path.join(dir, 'home'), XDG_CONFIG_HOME: path.join(dir, 'config') };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds config.ini under XDG_CONFIG_HOME, else ~/.config', () => {
    assert.equal(configPath(env), path.join(dir, 'config', 'nofear', 'config.ini'));
    assert.equal(configPath({ HOME: '/home/ann' }), '/home/ann/.config/nofear/config.ini');
  });

  it('uses all defaults, without a problem, when the file is missing', () => {
    const result = loadConfig(env);
    assert.deepEqual(result.config, defaultConfig());
    assert.deepEqual(result.problems, []);
  });

  it('reads the file and names it, with lines, in sources and problems', () => {
    write('[vm]\ncpus = 8\nnet = wifi\n');
    const result = loadConfig(env);
    assert.equal(result.config.vm.cpus, 8);
    assert.equal(result.sources['vm.cpus'], `${configPath(env)}:2`);
    assert.equal(result.problems[0]?.origin, configPath(env));
    assert.equal(result.problems[0]?.line, 3);
  });

  it('lets NOFEAR_ACCEL override vm.accel, recorded as its source', () => {
    write('[vm]\naccel = kvm\n');
    const result = loadConfig({ ...env, NOFEAR_ACCEL: 'tcg' });
    assert.equal(result.config.vm.accel, 'tcg');
    assert.equal(result.sources['vm.accel'], 'env NOFEAR_ACCEL');
    assert.deepEqual(result.problems, []);
    assert.equal(loadConfig({ ...env, NOFEAR_ACCEL: '' }).config.vm.accel, 'kvm', 'empty means unset');
  });

  it('reports a bad NOFEAR_ACCEL and keeps the file value', () => {
    write('[vm]\naccel = kvm\n');
    const result = loadConfig({ ...env, NOFEAR_ACCEL: 'fast' });
    assert.equal(result.config.vm.accel, 'kvm');
    assert.equal(result.sources['vm.accel'], `${configPath(env)}:2`);
    assert.equal(result.problems.length, 1);
    assert.equal(result.problems[0]?.origin, 'env NOFEAR_ACCEL');
    assert.match(result.problems[0]!.message, /NOFEAR_ACCEL="fast".*auto, kvm or tcg/);
  });

  it('does not change the result it overrides', () => {
    const base = parseConfig('', 'x.ini', { hostMemoryMiB: 4096 });
    applyEnvOverrides(base, { NOFEAR_ACCEL: 'tcg' });
    assert.equal(base.config.vm.accel, 'auto');
    assert.equal(base.sources['vm.accel'], 'default');
  });

  it('reports a config.ini that cannot be read, without throwing', () => {
    mkdirSync(configPath(env), { recursive: true }); // a directory where the file should be
    const result = loadConfig(env);
    assert.deepEqual(result.config, defaultConfig());
    assert.equal(result.problems.length, 1);
    assert.equal(result.problems[0]?.origin, configPath(env));
    assert.match(result.problems[0]!.message, /not a regular file/);
  });

  it('reports a config.ini it cannot reach (a file where its folder should be) as Unavailable', () => {
    mkdirSync(path.join(dir, 'config'), { recursive: true });
    writeFileSync(path.join(dir, 'config', 'nofear'), 'a file, not a folder');
    const blocked = loadConfig(env);
    assert.deepEqual(blocked.config, defaultConfig());
    assert.equal(blocked.problems[0]?.code, 'Unavailable');
    assert.match(blocked.problems[0]!.message, /^cannot be read \(ENOTDIR.*\); all settings keep their defaults\.$/);
  });

  it('reports a config.ini it may not read as AccessDenied, with a chmod fix', function () {
    if (process.getuid?.() === 0) this.skip(); // root reads a file whatever its mode
    write('[vm]\ncpus = 2\n');
    chmodSync(configPath(env), 0o000);
    const denied = loadConfig(env);
    assert.equal(denied.config.vm.cpus, defaultConfig().vm.cpus);
    assert.equal(denied.problems[0]?.code, 'AccessDenied');
    assert.match(denied.problems[0]!.message, new RegExp(`Fix: chmod u\\+r ${configPath(env).replace(/[.]/g, '\\.')}$`));
  });

  it('prints one line per setting with its source, then the problems', () => {
    write('[vm]\ncpus = 4\nmemory = huge\n[open]\nmax_file_size = 512M\n[profile.work]\nborder = blue,2\n');
    const text = formatEffectiveConfig(loadConfig({ ...env, NOFEAR_ACCEL: 'tcg' }, { hostMemoryMiB: 8192 }));
    const file = configPath(env);
    const out = text.split('\n');
    assert.equal(out[0], 'vm.memory = 1024  (default)');
    assert.equal(out[1], `vm.cpus = 4  (${file}:2)`);
    assert.equal(out[2], 'vm.accel = tcg  (env NOFEAR_ACCEL)');
    assert.ok(out.includes(`open.max_file_size = 512M  (${file}:5)`));
    assert.ok(out.includes('gui.border = OrangeRed,3  (default)'));
    assert.ok(out.includes(`profile.work.border = blue,2  (${file}:7)`));
    assert.equal(out.filter((l) => / = .* {2}\(/.test(l)).length, 25, '24 settings and one profile');
    const problems = out.slice(out.indexOf('problems (1):') + 1).filter((l) => l !== '');
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, new RegExp(`^  ${file.replace(/[.]/g, '\\.')}:3: vm\\.memory = "huge"`));
  });

  it('prints no problems section when there are none', () => {
    assert.doesNotMatch(formatEffectiveConfig(loadConfig(env)), /problems/);
  });
});
