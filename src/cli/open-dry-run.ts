// nofear-open --dry-run's text, and whether an open goes through the service: only the service gives a
// link to a running link VM ([links] reuse_seconds), so the `reuse:` line depends on it.
import type { Config } from '../config/index.js';
import { formatDryRun, type OpenPlan } from '../open/open-plan.js';
import { soundFor } from '../open/sound-choice.js';
import type { OpenArgs } from './nofear-open-args.js';
import { linkShape, linkVmFor, linkVmsOfRecords } from '../service/daemon/link-reuse.js';
import { listRecords, runtimeBase } from '../sandbox/registry.js';
import { isSandboxProcess, liveness } from '../sandbox/reaper.js';

/** Whether this open goes through the service (else it runs in this process): --edit on a terminal, --net, --sound and --no-service keep it here. */
export function goesThroughService(args: OpenArgs, env: NodeJS.ProcessEnv): boolean {
  // --edit from the desktop (no terminal) goes to the service, which asks and tells in notifications as this
  // process would there; on a terminal the edit is asked about and its outcome told there: it stays here.
  const editHere = args.edit && process.stderr.isTTY === true;
  return !args.noService && !editHere && args.net === 'none' && args.sound === undefined && env.DBUS_SESSION_BUS_ADDRESS !== undefined && env.DBUS_SESSION_BUS_ADDRESS !== '';
}

/**
 * --dry-run, a web address with [links] reuse_seconds on: the VM it would open in, decided as the service
 * decides (src/service/daemon/link-reuse.ts) from the link VMs' records.
 */
async function reuseLine(plan: OpenPlan, config: Config, args: OpenArgs): Promise<string | undefined> {
  if (plan.kind !== 'url' || plan.trustedBy !== undefined || config.links.reuseSeconds === 0) return undefined;
  if (!goesThroughService(args, process.env)) return 'reuse: no (only the NoFear service gives a link to a running VM; this open runs in nofear-open itself)';
  const shape = linkShape({
    browser: plan.viewer,
    lan: config.links.lan,
    sound: soundFor(config.gui.sound, plan.mime, plan.sound),
    display: process.env.DISPLAY,
    waylandDisplay: process.env.WAYLAND_DISPLAY,
  });
  const vmRuns = (record: Parameters<typeof liveness>[0]) => liveness(record) === 'live' && (isSandboxProcess(record.qemu, record.id) || isSandboxProcess(record.vmm, record.id));
  const decision = linkVmFor(linkVmsOfRecords(await listRecords(runtimeBase(process.env)), vmRuns), shape, Date.now(), config.links.reuseSeconds);
  return decision.kind === 'reuse' ? `reuse: sandbox ${decision.id}` : `reuse: no (${decision.why})`;
}

/** Each plan's --dry-run block (open-plan.ts's formatDryRun), a web address's with its `reuse:` line. */
export async function dryRunText(plans: readonly OpenPlan[], config: Config, args: OpenArgs): Promise<string> {
  const blocks = await Promise.all(
    plans.map(async (plan) => {
      const block = formatDryRun(plan, args.edit ? { saveBack: args.saveBack } : undefined, soundFor(config.gui.sound, plan.mime, plan.sound), !config.links.lan);
      const reuse = await reuseLine(plan, config, args);
      return reuse === undefined ? block : `${block}\n${reuse}`;
    }),
  );
  return blocks.join('\n\n');
}
