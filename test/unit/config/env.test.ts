// NOFEAR_ACCEL over config.ini: a valid value wins and is recorded as its own source; an invalid one
// changes nothing and is a problem naming what is kept; unset or empty changes nothing.
import assert from 'node:assert/strict';
import { applyEnvOverrides } from '../../../src/config/env.js';
import { defaultConfig, type ConfigResult } from '../../../src/config/index.js';

const FROM_FILE: ConfigResult = {
  config: { ...defaultConfig(), vm: { ...defaultConfig().vm, accel: 'tcg' } },
  sources: { 'vm.accel': '/home/u/.config/nofear/config.ini:3' },
  problems: [],
};

describe('environment overrides (NOFEAR_ACCEL)', () => {
  it('changes nothing when unset or empty', () => {
    assert.equal(applyEnvOverrides(FROM_FILE, {}), FROM_FILE);
    assert.equal(applyEnvOverrides(FROM_FILE, { NOFEAR_ACCEL: '' }), FROM_FILE);
  });

  it('lets a valid value win, recorded as its own source, without touching the rest', () => {
    const result = applyEnvOverrides(FROM_FILE, { NOFEAR_ACCEL: 'kvm' });
    assert.equal(result.config.vm.accel, 'kvm');
    assert.equal(result.sources['vm.accel'], 'env NOFEAR_ACCEL');
    assert.equal(result.config.vm.memoryMiB, FROM_FILE.config.vm.memoryMiB);
    assert.equal(FROM_FILE.config.vm.accel, 'tcg'); // a new result: the old one is unchanged
    assert.deepEqual(result.problems, []);
  });

  it('keeps the setting on an invalid value and says what it kept and from where', () => {
    const result = applyEnvOverrides(FROM_FILE, { NOFEAR_ACCEL: 'fast' });
    assert.equal(result.config.vm.accel, 'tcg');
    assert.equal(result.problems.length, 1);
    const [problem] = result.problems;
    assert.equal(problem?.code, 'InvalidArgument');
    assert.equal(problem?.setting, 'vm.accel');
    assert.equal(problem?.message, 'NOFEAR_ACCEL="fast" is not allowed: use auto, kvm or tcg. Keeping vm.accel = tcg (/home/u/.config/nofear/config.ini:3).');
    const fromDefault = applyEnvOverrides({ ...FROM_FILE, sources: {} }, { NOFEAR_ACCEL: 'fast' });
    assert.match(fromDefault.problems[0]?.message ?? '', /Keeping vm\.accel = tcg \(default\)\.$/);
  });
});
