// formatEffectiveConfig: what `nofearctl config` prints, one setting a line with its source.
import { formatProblem } from './problems.js';
import { SETTINGS, settingName } from './settings.js';
import { DEFAULT_SOURCE, type ConfigResult } from './types.js';
import { formatBorder } from './values.js';

/** `section.key = value  (source)` per setting, profiles by name, then the problems if any. */
export function formatEffectiveConfig(result: ConfigResult): string {
  const { config, sources, problems } = result;
  const lines = SETTINGS.map((s) => {
    const name = settingName(s);
    return `${name} = ${s.show(config)}  (${sources[name] ?? DEFAULT_SOURCE})`;
  });
  for (const profile of Object.keys(config.profiles).sort()) {
    const entry = config.profiles[profile];
    if (entry === undefined) continue;
    const name = `profile.${profile}.border`;
    lines.push(`${name} = ${formatBorder(entry.border)}  (${sources[name] ?? DEFAULT_SOURCE})`);
  }
  if (problems.length > 0) {
    lines.push('', `problems (${problems.length}):`, ...problems.map((p) => `  ${formatProblem(p)}`));
  }
  return `${lines.join('\n')}\n`;
}
