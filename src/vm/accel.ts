// KVM or TCG: a check that answers in milliseconds and never touches /dev/kvm's ioctls.
import { accessSync, constants as fsc, existsSync, readFileSync } from 'node:fs';
import type { Accel } from './qemu-argv.js';

export interface AccelFacts {
  override?: string;
  kvmDeviceExists: boolean;
  kvmDeviceAccessible: boolean;
  cpuHasVirtFlag: boolean;
  vendorModuleLoaded: boolean;
  pvmModuleLoaded: boolean;
}

export interface AccelChoice {
  accel: Accel;
  /** Why, for the warning and `doctor`. */
  reason: string;
  /** A command that makes KVM usable, when that is what is missing. */
  fix?: string;
}

export function chooseAccel(facts: AccelFacts): AccelChoice {
  if (facts.override === 'kvm' || facts.override === 'tcg') {
    return { accel: facts.override, reason: `NOFEAR_ACCEL=${facts.override}` };
  }
  if (!facts.kvmDeviceExists) {
    return { accel: 'tcg', reason: '/dev/kvm is missing', fix: 'enable virtualisation in the firmware, then: sudo modprobe kvm_intel (or kvm_amd)' };
  }
  if (!facts.kvmDeviceAccessible) {
    return {
      accel: 'tcg',
      reason: '/dev/kvm is not accessible to this user',
      fix: 'sudo usermod -aG kvm $USER (then log in again), or: sudo setfacl -m u:$USER:rw /dev/kvm',
    };
  }
  if (facts.pvmModuleLoaded || !facts.cpuHasVirtFlag || !facts.vendorModuleLoaded) {
    return {
      accel: 'tcg',
      reason: facts.pvmModuleLoaded
        ? '/dev/kvm is a PVM KVM that hangs ordinary guest kernels'
        : '/dev/kvm is present but the CPU shows no vmx/svm with kvm_intel/kvm_amd loaded',
    };
  }
  return { accel: 'kvm', reason: 'KVM is usable' };
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
  return override === undefined || override === '' || override === 'auto' ? facts : { ...facts, override };
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
