// nofearctl trust FILE / trust status FILE / distrust FILE: the user's word on one file's origin.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { invalidArgument, notFound } from '../errors.js';
import { loadConfig } from '../config/index.js';
import { distrustFile, fromOutside, trustFile, trustScope } from '../trust/origin.js';
import { withoutControls } from '../util/text.js';
import { notifyOnce } from '../service/bus/notifications.js';

async function regularFile(given: string): Promise<string> {
  const file = path.resolve(given);
  const stat = await fsp.stat(file).catch(() => undefined);
  if (stat === undefined) throw notFound(`${given} does not exist.`, `check the name: ls -l ${JSON.stringify(path.dirname(file))}`);
  if (!stat.isFile()) throw invalidArgument(`${given} is not a regular file; NoFear marks files.`, 'name a file, not a folder or a device');
  return file;
}

/** Pure: the status line. */
export function statusLine(verdict: Awaited<ReturnType<typeof fromOutside>>): string {
  if (verdict.outside) return `marked (from outside: ${withoutControls(verdict.why)})`;
  return verdict.trusted ? 'not marked (trusted by you: nofearctl distrust FILE takes it back)' : 'not marked';
}

/** Pure: the notification `trust --notify` shows (a file manager's action has no terminal for the warning). */
export function trustNotice(file: string, outcome: { warning?: string } | { failed: string }): { summary: string; body: string } {
  const name = withoutControls(path.basename(file));
  if ('failed' in outcome) return { summary: `NoFear could not trust ${name}`, body: outcome.failed };
  return { summary: `${name} is trusted`, body: outcome.warning ?? 'It opens natively from now on.' };
}

/** `notify`: what trust says also goes to a desktop notification (the file managers' "Trust this file"). */
export async function trustCommand(verb: 'trust' | 'distrust', operands: readonly string[], notify = false): Promise<number> {
  const scope = await trustScope(loadConfig().config);
  if (verb === 'distrust') {
    const [given = ''] = operands;
    const store = await distrustFile(await regularFile(given), scope);
    process.stdout.write(`${given}: marked as from outside${store === 'sidecar' ? " (its filesystem has no user xattrs: kept in NoFear's state)" : ''}\n`);
    return 0;
  }
  const [first = '', second] = operands;
  if (operands.length > 2 || (operands.length === 2 && first !== 'status'))
    throw invalidArgument(`trust takes FILE or status FILE, not ${operands.map((o) => JSON.stringify(o)).join(' ')}.`, 'nofearctl trust status FILE');
  if (second !== undefined) {
    process.stdout.write(`${statusLine(await fromOutside(await regularFile(second), scope))}\n`);
    return 0;
  }
  const tell = async (outcome: Parameters<typeof trustNotice>[1]) => {
    if (!notify) return;
    const { summary, body } = trustNotice(first, outcome);
    await notifyOnce(process.env, summary, body);
  };
  let trusted: Awaited<ReturnType<typeof trustFile>>;
  try {
    trusted = await trustFile(await regularFile(first), scope);
  } catch (error) {
    await tell({ failed: error instanceof Error ? error.message : String(error) });
    throw error;
  }
  const { before, store } = trusted;
  const warning = before.outside
    ? `${first} came from outside (${withoutControls(before.why)}). Trusted now: it opens natively, in your own application, with nothing between it and your session. Take it back with: nofearctl distrust ${JSON.stringify(first)}`
    : undefined;
  if (warning !== undefined) process.stderr.write(`nofearctl: warning: ${warning}\n`);
  process.stdout.write(`${first}: trusted${store === 'sidecar' ? " (its filesystem has no user xattrs: kept in NoFear's state)" : ''}\n`);
  await tell(warning === undefined ? {} : { warning });
  return 0;
}
