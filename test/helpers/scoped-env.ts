// Variables of this process's environment set for one test and put back after it (the CLI's commands read
// process.env, as they do when run).
export function scopedEnv(): { set: (vars: Record<string, string | undefined>) => void; restore: () => void } {
  const saved = new Map<string, string | undefined>();
  return {
    set: (vars) => {
      for (const [name, value] of Object.entries(vars)) {
        if (!saved.has(name)) saved.set(name, process.env[name]);
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
    restore: () => {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      saved.clear();
    },
  };
}
