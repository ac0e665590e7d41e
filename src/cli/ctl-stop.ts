// nofearctl stop ID|PROFILE|--all: which sandboxes a target names, stopping them, and what to say.
import { invalidArgument, notFound, type NoFearError } from '../errors.js';
import { ID_PATTERN, listRecords, type SandboxRecord } from '../sandbox/registry.js';
import { reapLeftovers } from '../sandbox/reaper.js';
import { stopSandboxes, type StopResult } from '../sandbox/stop.js';
import { PROFILE_NAME } from '../profiles/store.js';
import { NoFearClient } from '../service/bus/client.js';

export type StopTarget = { kind: 'all' } | { kind: 'id'; id: string } | { kind: 'profile'; name: string };

const USAGE = 'nofearctl stop ID|PROFILE, or nofearctl stop --all (nofearctl ps lists them)';

/** The one target: --all, or an operand that can name a sandbox id or a profile. */
export function stopTarget(all: boolean, target: string | undefined): string {
  if (all && target !== undefined) throw invalidArgument(`stop takes --all or a target, not both (got --all and ${JSON.stringify(target)}).`, USAGE);
  if (all) return '--all';
  if (target === undefined) throw invalidArgument('stop needs a sandbox id, a profile name or --all.', USAGE);
  if (!ID_PATTERN.test(target) && !PROFILE_NAME.test(target)) {
    throw invalidArgument(`${JSON.stringify(target)} is neither a sandbox id (8 hex digits) nor a profile name.`, USAGE);
  }
  return target;
}

/** An id wins over a profile of the same spelling (a profile may be named like an id). */
export function selectTargets(records: readonly SandboxRecord[], target: string): { target: StopTarget; chosen: SandboxRecord[] } {
  if (target === '--all') return { target: { kind: 'all' }, chosen: [...records] };
  const byId = records.filter((r) => r.id === target);
  if (byId.length > 0) return { target: { kind: 'id', id: target }, chosen: byId };
  if (ID_PATTERN.test(target) && !records.some((r) => r.profile === target)) return { target: { kind: 'id', id: target }, chosen: [] };
  return { target: { kind: 'profile', name: target }, chosen: records.filter((r) => r.profile === target) };
}

export function resultLine(id: string, result: StopResult, deadlineMs: number): string {
  switch (result) {
    case 'stopped':
      return `${id}: stopped`;
    case 'killed':
      return `${id}: killed (it did not power off within ${Math.round(deadlineMs / 1000)} s)`;
    case 'cleaned':
      return `${id}: had already ended; removed the files it left`;
    case 'gone':
      return `${id}: had already ended`;
  }
}

function describe(target: StopTarget): string {
  return target.kind === 'id' ? `sandbox ${target.id}` : target.kind === 'profile' ? `sandbox of profile ${target.name}` : 'sandbox';
}

/** Stopping a named target that was not running is an error (NotFound): scripts and people learn it. */
export function notRunning(target: StopTarget, cleaned: readonly string[]): NoFearError {
  const what = describe(target);
  const tail = cleaned.length === 0 ? 'it has ended already, or never existed' : `it had ended already; removed the files it left (${cleaned.join(', ')})`;
  return notFound(`No ${what} is running: ${tail}.`, 'nofearctl ps lists the running ones');
}

/**
 * The service owns its sandboxes' clean-up: it is asked over the bus first, as the contract says. For
 * --all that is StopAll, which also empties its warm pool (a killed warm VM would only be replaced).
 */
async function stopThroughServiceToo(base: string, chosen: readonly SandboxRecord[], deadlineMs: number, all: boolean): Promise<Map<string, StopResult>> {
  const client = chosen.some((r) => r.ownerKind === 'service') ? NoFearClient.connect(process.env) : undefined;
  try {
    const stoppedAll =
      all &&
      client !== undefined &&
      (await client.stopAll().then(
        () => true,
        () => false,
      ));
    return await stopSandboxes(
      base,
      chosen.map((r) => r.id),
      deadlineMs,
      process.env,
      async (id) => stoppedAll || (client === undefined ? false : client.stopSandbox(id)),
    );
  } finally {
    client?.close();
  }
}

/** `target` is stopTarget's answer. */
export async function runStop(base: string, target: string, deadlineMs = 10_000): Promise<number> {
  const records = await listRecords(base);
  const { target: parsed, chosen } = selectTargets(records, target);
  const results = chosen.length === 0 ? new Map<string, StopResult>() : await stopThroughServiceToo(base, chosen, deadlineMs, parsed.kind === 'all');
  // Every NoFear command clears what crashed ones left, targeted or not.
  await reapLeftovers(base);
  const ended = [...results].filter(([, r]) => r === 'stopped' || r === 'killed');
  if (parsed.kind !== 'all' && ended.length === 0) {
    throw notRunning(
      parsed,
      [...results].filter(([, r]) => r === 'cleaned').map(([id]) => id),
    );
  }
  if (results.size === 0) {
    process.stdout.write('no sandboxes running\n');
    return 0;
  }
  for (const [id, result] of results) process.stdout.write(`${resultLine(id, result, deadlineMs)}\n`);
  return 0;
}
