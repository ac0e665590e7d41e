// A web address through the service, with [links] reuse_seconds: it goes to the running link VM that
// src/service/daemon/link-reuse.ts picks (the guest starts the same browser again with the address: a new tab
// in Firefox or Chromium, a window in NetSurf), else to a VM of its own, remembered for the next link.
import type { OpenPlan } from '../../open/open-plan.js';
import { soundFor } from '../../open/sound-choice.js';
import { LinkVms, linkShape } from './link-reuse.js';
import type { ManagedSandbox } from '../../sandbox/manager.js';
import { replyWith, type RequestContext } from './request-parts.js';
import type { CheckedOptions } from './validate.js';

const isLive = (sandbox: ManagedSandbox) => sandbox.state === 'starting' || sandbox.state === 'running';

/** A link's shape as the service opens it: its browser, [links] lan, its sound and the display its windows go to. */
export function serviceLinkShape(context: RequestContext, plan: OpenPlan, options: CheckedOptions): string {
  const config = context.config();
  const callerGave = options.display !== undefined || options.wayland_display !== undefined;
  return linkShape({
    browser: plan.viewer,
    lan: config.links.lan,
    sound: soundFor(config.gui.sound, plan.mime, plan.sound),
    display: callerGave ? options.display : context.env.DISPLAY,
    waylandDisplay: callerGave ? options.wayland_display : context.env.WAYLAND_DISPLAY,
  });
}

/** Opens a new VM for one plan and gives back its sandbox (requests.ts's openPlans, for one plan). */
export type OpenNew = (plan: OpenPlan, started: (sandbox: ManagedSandbox) => void) => Promise<string[]>;

/**
 * One web address: in the link VM the decision picks, when the guest says it started the browser there;
 * else in a new VM (and a VM that did not take it is forgotten: it gets no more links). The reply is the
 * object path of the sandbox that shows it.
 */
export async function openLink(context: RequestContext, links: LinkVms<ManagedSandbox>, plan: OpenPlan, options: CheckedOptions, openNew: OpenNew): Promise<string[]> {
  const shape = serviceLinkShape(context, plan, options);
  const now = Date.now();
  const { decision, sandbox } = links.pick(shape, now, context.config().links.reuseSeconds, isLive);
  if (sandbox?.launchBeside !== undefined) {
    links.touched(sandbox.id, now); // a link right behind this one finds it as recent
    if (await sandbox.launchBeside(plan.argv)) {
      context.log(`${plan.file}: opened in the browser of sandbox ${sandbox.id} ([links] reuse_seconds)`);
      void sandbox.noteLink?.(shape, now);
      return replyWith(context, [sandbox], options);
    }
    links.forget(sandbox.id);
    context.log(`${plan.file}: sandbox ${sandbox.id} did not start its browser again: a VM of its own`);
  } else if (context.config().links.reuseSeconds > 0 && decision.kind === 'new') {
    context.log(`${plan.file}: a VM of its own (${decision.why})`);
  }
  return openNew(plan, (started) => {
    links.remember(started, shape, now);
    void started.noteLink?.(shape, now);
  });
}
