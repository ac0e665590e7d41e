// User extended attributes, read and written in batches. Node has no xattr call and the npm bindings need a
// native build; the system Python has os.getxattr/setxattr (it is there wherever Xpra is), run as a
// supervised child (a deadline, its group killed) for a whole batch at once.
import { runTool } from '../util/run.js';

export type XattrOp = { op: 'read'; path: string; names: readonly string[] } | { op: 'set'; path: string; name: string; value: string } | { op: 'remove'; path: string; name: string };

/** Per op: the values read (absent names left out), done, or why not ("unsupported": the filesystem has no user xattrs). */
export type XattrResult = { ok: true; values: Record<string, string>; dev: number; ino: number } | { ok: false; unsupported: boolean; error: string };

const SCRIPT = String.raw`
import errno, json, os, sys
out = []
for req in json.load(sys.stdin):
    p = req["path"]
    try:
        st = os.stat(p)
        values = {}
        if req["op"] == "read":
            for name in req["names"]:
                try:
                    values[name] = os.getxattr(p, name)[:4096].decode("utf-8", "replace")
                except OSError as e:
                    if e.errno not in (errno.ENODATA,):
                        raise
        elif req["op"] == "set":
            os.setxattr(p, req["name"], req["value"].encode("utf-8"))
        else:
            try:
                os.removexattr(p, req["name"])
            except OSError as e:
                if e.errno != errno.ENODATA:
                    raise
        out.append({"ok": True, "values": values, "dev": st.st_dev, "ino": st.st_ino})
    except OSError as e:
        out.append({"ok": False, "unsupported": e.errno in (errno.ENOTSUP, errno.EOPNOTSUPP), "error": e.strerror or str(e)})
json.dump(out, sys.stdout)
`;

const PYTHON = '/usr/bin/python3';

/** Runs the ops in order; a failed helper fails every op with its reason. */
export async function xattrBatch(ops: readonly XattrOp[], env: NodeJS.ProcessEnv = process.env): Promise<XattrResult[]> {
  if (ops.length === 0) return [];
  const result = await runTool(env.NOFEAR_PYTHON ?? PYTHON, ['-I', '-S', '-c', SCRIPT], { timeoutMs: 20_000 + ops.length * 50, input: JSON.stringify(ops) });
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.stdout);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== ops.length) {
    const why = result.timedOut ? 'timed out' : result.stderr.trim().split('\n').at(-1) || `python3 exited ${result.exitCode ?? 'abnormally'}`;
    return ops.map(() => ({ ok: false, unsupported: false, error: `the xattr helper failed: ${why}` }));
  }
  return parsed as XattrResult[];
}
