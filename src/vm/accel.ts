// KVM or TCG: a check that answers in milliseconds and never touches /dev/kvm's ioctls.
import { accessSync, constants as fsc, existsSync, readFileSync } from 'node:fs';
import type { Accel } from './qemu-argv.js';

export interface AccelFacts {
  override?: string;
  /** Who asked for `override`: the environment (NOFEAR_ACCEL) or config.ini's [vm] accel. */
  overrideFrom?: 'environment' | 'config';
  kvmDeviceExists: boolean;
  kvmDeviceAccessible: boolean;
  cpuHasVirtFlag: boolean;
  vendorModuleLoaded: boolean;
  pvmModuleLoaded: boolean;
}

export interface AccelChoice {
  accel: Accel;
  /** Asked for (NOFEAR_ACCEL, config.ini) or found by probing: only a probed KVM may fall back to TCG. */
  from: 'environment' | 'config' | 'probe';
  /** Why, for the warning and `doctor`. */
  reason: string;
  /** A command that makes KVM usable, when that is what is missing. */
  fix?: string;
  /**
   * KVM asked for (NOFEAR_ACCEL, config.ini) where the probe finds it unusable: why, and whether that is
   * certain (no /dev/kvm, or not ours to open) or the probe's judgement (a PVM KVM, no vmx/svm shown).
   */
  forcedButUnusable?: { reason: string; certain: boolean };
}

export function chooseAccel(facts: AccelFacts): AccelChoice {
  if (facts.override === 'kvm' || facts.override === 'tcg') {
    const asked: AccelChoice =
      facts.overrideFrom === 'config'
        ? { accel: facts.override, from: 'config', reason: `accel = ${facts.override} in config.ini` }
        : { accel: facts.override, from: 'environment', reason: `NOFEAR_ACCEL=${facts.override}` };
    // Asked for, yet checked: a forced KVM the probe finds unusable will not boot.
    const probed = probeAccel(facts);
    if (facts.override === 'tcg' || probed.accel === 'kvm') return asked;
    const certain = !facts.kvmDeviceExists || !facts.kvmDeviceAccessible;
    return { ...asked, forcedButUnusable: { reason: probed.reason, certain }, ...(probed.fix === undefined ? {} : { fix: probed.fix }) };
  }
  return probeAccel(facts);
}

/** What the machine offers, whatever was asked for. */
function probeAccel(facts: AccelFacts): AccelChoice {
  if (!facts.kvmDeviceExists) {
    return { accel: 'tcg', from: 'probe', reason: '/dev/kvm is missing', fix: 'enable virtualisation in the firmware, then: sudo modprobe kvm_intel (or kvm_amd)' };
  }
  if (!facts.kvmDeviceAccessible) {
    return {
      accel: 'tcg',
      from: 'probe',
      reason: '/dev/kvm is not accessible to this user',
      fix: 'sudo usermod -aG kvm $USER (then log in again), or: sudo setfacl -m u:$USER:rw /dev/kvm',
    };
  }
  if (facts.pvmModuleLoaded || !facts.cpuHasVirtFlag || !facts.vendorModuleLoaded) {
    return {
      accel: 'tcg',
      from: 'probe',
      reason: facts.pvmModuleLoaded ? '/dev/kvm is a PVM KVM that hangs ordinary guest kernels' : '/dev/kvm is present but the CPU shows no vmx/svm with kvm_intel/kvm_amd loaded',
    };
  }
  return { accel: 'kvm', from: 'probe', reason: 'KVM is usable' };
}

export function readAccelFacts(env: NodeJS.ProcessEnv = process.env): AccelFacts {
  const kvm = env.NOFEAR_KVM_DEVICE ?? '/dev/kvm';
  let accessible = false;
  try {
    accessSync(kvm, fsc.R_OK | fsc.W_OK);
    accessible = true;
  } catch {
    accessible = false;
  }
  let flags = '';
  try {
    flags = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '';
  } catch {
    flags = '';
  }
  const facts: AccelFacts = {
    kvmDeviceExists: existsSync(kvm),
    kvmDeviceAccessible: accessible,
    cpuHasVirtFlag: /\b(vmx|svm)\b/.test(flags),
    vendorModuleLoaded: existsSync('/sys/module/kvm_intel') || existsSync('/sys/module/kvm_amd'),
    pvmModuleLoaded: existsSync('/sys/module/kvm_pvm'),
  };
  // The KVM watchdog's test: pretend the probe found a usable KVM, so that a KVM that cannot run the
  // guest (as here) must be caught by the fallback rather than by the probe.
  if (env.NOFEAR_TEST_ASSUME_KVM === '1') Object.assign(facts, { kvmDeviceExists: true, kvmDeviceAccessible: true, cpuHasVirtFlag: true, vendorModuleLoaded: true, pvmModuleLoaded: false });
  const override = env.NOFEAR_ACCEL;
  return override === undefined || override === '' || override === 'auto' ? facts : { ...facts, override, overrideFrom: 'environment' };
}

/** The one decision, for the VMs and for doctor alike: NOFEAR_ACCEL, then config.ini's [vm] accel, then the probe. */
export function decideAccel(env: NodeJS.ProcessEnv, configAccel: 'kvm' | 'tcg' | undefined): AccelChoice {
  return chooseAccel(withConfigAccel(readAccelFacts(env), configAccel));
}

/** config.ini's [vm] accel, when it is not "auto" and NOFEAR_ACCEL does not already decide. */
export function withConfigAccel(facts: AccelFacts, configAccel: 'kvm' | 'tcg' | undefined): AccelFacts {
  return facts.override === undefined && configAccel !== undefined ? { ...facts, override: configAccel, overrideFrom: 'config' } : facts;
}

/** The host TSC frequency in kHz, from /proc/cpuinfo (no root needed); undefined when unknown. */
export function hostTscKhz(cpuinfo?: string): number | undefined {
  let text = cpuinfo;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return undefined;
    }
  }
  const mhz = /^cpu MHz\s*:\s*([0-9]+(?:\.[0-9]+)?)$/m.exec(text)?.[1];
  if (mhz === undefined) return undefined;
  const khz = Math.round(Number(mhz) * 1000);
  return khz > 100_000 ? khz : undefined;
}
