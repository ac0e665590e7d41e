// [links] reuse_seconds' decision: a link goes to the live link VM of its shape that got a link within the
// window, else to a new VM (with the reason); and the service's memory of its link VMs forgets one at its end.
import assert from 'node:assert/strict';
import { LinkVms, linkShape, linkVmFor, linkVmsOfRecords, type LinkVm } from '../../../src/service/daemon/link-reuse.js';
import type { SandboxRecord } from '../../../src/sandbox/registry.js';

const NETSURF = linkShape({ browser: 'netsurf.desktop', lan: true, sound: false, display: ':5' });
const NOW = 1_000_000;
const vm = (id: string, overrides: Partial<LinkVm> = {}): LinkVm => ({ id, shape: NETSURF, lastLinkAt: NOW - 5_000, live: true, ...overrides });

describe('service/daemon/link-reuse', () => {
  it('reuses the live VM of the same shape whose last link is within reuse_seconds (the newest of several)', () => {
    assert.deepEqual(linkVmFor([vm('a')], NETSURF, NOW, 30), { kind: 'reuse', id: 'a' });
    assert.deepEqual(linkVmFor([vm('a', { lastLinkAt: NOW - 20_000 }), vm('b', { lastLinkAt: NOW - 1_000 })], NETSURF, NOW, 30), { kind: 'reuse', id: 'b' });
    assert.deepEqual(linkVmFor([vm('a', { lastLinkAt: NOW - 30_000 })], NETSURF, NOW, 30), { kind: 'reuse', id: 'a' }, 'the window includes its edge');
  });

  it('opens a new VM outside the window, for another shape, when the VM is gone, and always with reuse_seconds = 0', () => {
    assert.deepEqual(linkVmFor([vm('a', { lastLinkAt: NOW - 30_001 })], NETSURF, NOW, 30), {
      kind: 'new',
      why: 'the last link went to a VM more than 30 s ago ([links] reuse_seconds)',
    });
    for (const other of [
      linkShape({ browser: 'firefox-esr.desktop', lan: true, sound: false, display: ':5' }),
      linkShape({ browser: 'netsurf.desktop', lan: false, sound: false, display: ':5' }),
      linkShape({ browser: 'netsurf.desktop', lan: true, sound: true, display: ':5' }),
      linkShape({ browser: 'netsurf.desktop', lan: true, sound: false, display: ':6' }),
      linkShape({ browser: 'netsurf.desktop', lan: true, sound: false, display: ':5', waylandDisplay: 'wayland-0' }),
    ]) {
      assert.deepEqual(linkVmFor([vm('a')], other, NOW, 30), { kind: 'new', why: 'no running link VM has the same browser, network, sound and display' }, other);
    }
    assert.deepEqual(linkVmFor([vm('a', { live: false })], NETSURF, NOW, 30), { kind: 'new', why: 'no link VM runs' });
    assert.deepEqual(linkVmFor([], NETSURF, NOW, 30), { kind: 'new', why: 'no link VM runs' });
    assert.deepEqual(linkVmFor([vm('a')], NETSURF, NOW, 0), { kind: 'new', why: '[links] reuse_seconds is 0' });
    assert.equal(linkVmFor([vm('a', { lastLinkAt: NOW + 60_000 })], NETSURF, NOW, 30).kind, 'new', 'a last link "in the future" (a clock set back) is not recent');
  });

  it('LinkVms: a remembered VM is picked and touched, and forgotten the moment it ends or refuses a link', async () => {
    let end = () => {};
    const first = { id: 'a', ended: new Promise<void>((resolve) => (end = resolve)) };
    const links = new LinkVms<typeof first>();
    links.remember(first, NETSURF, NOW - 25_000);
    const live = () => true;
    assert.equal(links.pick(NETSURF, NOW, 30, live).sandbox, first);
    links.touched('a', NOW);
    assert.equal(links.pick(NETSURF, NOW + 29_000, 30, live).sandbox, first, 'the window runs from its last link');
    assert.equal(links.pick(NETSURF, NOW, 30, () => false).sandbox, undefined, 'a VM whose state is no longer live is not picked');
    end();
    await first.ended;
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(links.size, 0, 'forgotten at its end');
    assert.deepEqual(links.pick(NETSURF, NOW, 30, live).decision, { kind: 'new', why: 'no link VM runs' });
    const second = { id: 'b', ended: new Promise<void>(() => {}) };
    const more = new LinkVms<typeof second>();
    more.remember(second, NETSURF, NOW);
    more.forget('b');
    assert.equal(more.pick(NETSURF, NOW, 30, live).sandbox, undefined);
  });

  it("--dry-run's view from the records: the service's link VMs with a well-formed note, live while running and their VM runs", () => {
    const record = (id: string, extra: Partial<SandboxRecord>): SandboxRecord =>
      ({ id, profile: 'temporary', command: [], files: [], state: 'running', createdAt: 0, owner: { pid: 1, startTime: 1 }, ownerKind: 'service', ...extra }) as SandboxRecord;
    const vms = linkVmsOfRecords(
      [
        record('aaaaaaaa', { link: { shape: NETSURF, lastLinkAt: NOW } }),
        record('bbbbbbbb', { link: { shape: NETSURF, lastLinkAt: NOW }, state: 'exited' }),
        record('cccccccc', { link: { shape: NETSURF, lastLinkAt: NOW }, ownerKind: 'cli' }),
        record('dddddddd', { link: { shape: 7, lastLinkAt: 'soon' } as unknown as SandboxRecord['link'] }),
        record('eeeeeeee', {}),
        record('ffffffff', { link: { shape: NETSURF, lastLinkAt: NOW } }),
      ],
      (r) => r.id !== 'ffffffff',
    );
    assert.deepEqual(vms, [
      { id: 'aaaaaaaa', shape: NETSURF, lastLinkAt: NOW, live: true },
      { id: 'bbbbbbbb', shape: NETSURF, lastLinkAt: NOW, live: false },
      { id: 'ffffffff', shape: NETSURF, lastLinkAt: NOW, live: false },
    ]);
  });
});
