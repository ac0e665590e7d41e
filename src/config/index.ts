// The config module's public face: import from here rather than from its parts.
export { applyEnvOverrides } from './env.js';
export { formatEffectiveConfig } from './format.js';
export { configPath, loadConfig } from './load.js';
export { hostMemoryMiB, parseConfig, type ParseOptions } from './parse.js';
export { formatProblem, problemError } from './problems.js';
export type { HostLimits } from './settings.js';
export {
  accelOfConfig,
  borderFor,
  defaultConfig,
  type Accel,
  type Border,
  type ClipboardPolicy,
  type SoundPolicy,
  type Config,
  type ConfigProblem,
  type ConfigResult,
  type NetMode,
  type Source,
} from './types.js';
