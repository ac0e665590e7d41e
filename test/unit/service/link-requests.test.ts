// One web address through the service with [links] reuse_seconds (src/service/daemon/link-requests.ts): the
// running link VM of its shape gets it when its guest says it started the browser again; otherwise a VM of
// its own, remembered for the next link. Stand-ins: the request context and the sandboxes (no bus, no VM;
// the whole OpenUris path is test/unit/service/requests.test.ts's, the guest's side e2e/links').
import assert from 'node:assert/strict';
import { defaultConfig } from '../../../src/config/index.js';
import type { OpenPlan } from '../../../src/open/open-plan.js';
import type { ManagedSandbox } from '../../../src/sandbox/manager.js';
import { LinkVms } from '../../../src/service/daemon/link-reuse.js';
import { openLink, serviceLinkShape } from '../../../src/service/daemon/link-requests.js';
import type { RequestContext } from '../../../src/service/daemon/request-parts.js';
import type { CheckedOptions } from '../../../src/service/daemon/validate.js';

describe('service/daemon/link-requests', () => {
  const config = defaultConfig();
  config.links.reuseSeconds = 60;
  const log: string[] = [];
  // The handlers read only these of a request context.
  const context = { config: () => config, env: { DISPLAY: ':7' }, objectPath: (s: ManagedSandbox) => `/s/${s.id}`, log: (line: string) => log.push(line) } as unknown as RequestContext;
  const plan = (url: string) => ({ kind: 'url', file: url, viewer: 'netsurf-gtk.desktop', mime: 'x-scheme-handler/https', argv: ['/usr/bin/netsurf-gtk', url] }) as unknown as OpenPlan;
  const options = {} as CheckedOptions;

  it("a link's shape is its browser, [links] lan, sound and display: the caller's display, else the service's", () => {
    const here = serviceLinkShape(context, plan('https://a.example/'), options);
    assert.equal(serviceLinkShape(context, plan('https://b.example/'), options), here, 'another address, the same shape');
    assert.notEqual(serviceLinkShape(context, plan('https://a.example/'), { display: ':8' } as CheckedOptions), here);
    assert.equal(serviceLinkShape(context, plan('https://a.example/'), { display: ':7' } as CheckedOptions), here);
  });

  it('gives a second link to the running VM whose guest starts the browser again, else a new VM that is remembered instead', async () => {
    let takes = true;
    const handedOver: string[][] = [];
    const vm = (id: string) =>
      ({ id, state: 'running', ended: new Promise(() => {}), launchBeside: async (argv: readonly string[]) => (handedOver.push([id, ...argv]), takes) }) as unknown as ManagedSandbox;
    const links = new LinkVms<ManagedSandbox>();
    const booted: string[] = [];
    const openNew = async (p: OpenPlan, started: (sandbox: ManagedSandbox) => void) => {
      const sandbox = vm(`s${booted.length + 1}`);
      booted.push(p.file);
      started(sandbox);
      return [`/s/${sandbox.id}`];
    };
    assert.deepEqual(await openLink(context, links, plan('https://one.example/'), options, openNew), ['/s/s1']);
    assert.deepEqual(await openLink(context, links, plan('https://two.example/'), options, openNew), ['/s/s1']);
    assert.deepEqual(handedOver, [['s1', '/usr/bin/netsurf-gtk', 'https://two.example/']], "the browser's argv, the address one argument");
    takes = false; // the guest does not start it: a VM of its own, and s1 gets no more links
    assert.deepEqual(await openLink(context, links, plan('https://three.example/'), options, openNew), ['/s/s2']);
    takes = true;
    assert.deepEqual(await openLink(context, links, plan('https://four.example/'), options, openNew), ['/s/s2']);
    assert.deepEqual(booted, ['https://one.example/', 'https://three.example/']);
    assert.ok(
      log.some((line) => /did not start its browser again/.test(line)),
      log.join('\n'),
    );
  });
});
