// Line numbers for config.ini entries: `ini` returns values only, so we find them in the raw text.

export interface KeyLine {
  line: number;
  /** Text after '=', trimmed, inline comment removed; undefined for a bare `key` line (`ini` reads true). */
  rawValue: string | undefined;
}

/** Section headers and keys are normalised the way `ini` normalises them (trimmed, unquoted). */
function unquote(text: string): string {
  const t = text.trim();
  return t.length >= 2 && ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) ? t.slice(1, -1) : t;
}

export class LineIndex {
  private readonly sections = new Map<string, number>();
  private readonly keys = new Map<string, KeyLine>();

  constructor(text: string) {
    let section = '';
    // Numbered as an editor shows them; `ini` itself skips empty lines, so its order is the same.
    text.split(/\r\n|\r|\n/).forEach((raw, index) => {
      const line = index + 1;
      if (/^\s*([;#]|$)/.test(raw)) return;
      const header = /^\[([^\]]*)\]\s*$/.exec(raw);
      if (header !== null) {
        // `ini` reads "a\.b" as a literal dot; either way the section is called "a.b" here.
        section = unquote(header[1] ?? '').replace(/\\\./g, '.');
        if (!this.sections.has(section)) this.sections.set(section, line);
        return;
      }
      const eq = raw.indexOf('=');
      const key = unquote(eq < 0 ? raw : raw.slice(0, eq)).replace(/\[\]$/, '');
      // The last occurrence is the one `ini` keeps, so it is the one to point at.
      const rawValue =
        eq < 0
          ? undefined
          : raw
              .slice(eq + 1)
              .trim()
              .replace(/\s+[;#].*$/, '');
      this.keys.set(`${section}\u0000${key}`, { line, rawValue });
    });
  }

  /** The first header of the section ("" for keys before any header). */
  sectionLine(section: string): number | undefined {
    return this.sections.get(section);
  }

  keyLine(section: string, key: string): KeyLine | undefined {
    return this.keys.get(`${section}\u0000${key}`);
  }
}
