// The one way an owner lets go of a sandbox: withSandbox disposes of it once, whether its use returns or
// throws, and a start that failed has nothing to dispose. A stand-in counts the disposals (a real one
// needs a VM; the VM suites run the real dispose).
import assert from 'node:assert/strict';
import { withSandbox } from '../../../src/sandbox/sandbox.js';

function standIn() {
  const box = { disposals: 0, dispose: async () => void box.disposals++ };
  return box;
}

describe('withSandbox', () => {
  it('disposes once after a use that returns, and gives back what it returned', async () => {
    const box = standIn();
    assert.equal(
      await withSandbox(box, async (used) => {
        assert.equal(used, box);
        assert.equal(box.disposals, 0, 'not before the use has ended');
        return 7;
      }),
      7,
    );
    assert.equal(box.disposals, 1);
  });

  it('disposes once after a use that throws, and the error passes through', async () => {
    const box = standIn();
    await assert.rejects(
      withSandbox(box, async () => {
        throw new Error('the job failed');
      }),
      /the job failed/,
    );
    assert.equal(box.disposals, 1);
  });

  it('takes a start still under way, and a start that fails leaves nothing to dispose', async () => {
    const box = standIn();
    assert.equal(await withSandbox(Promise.resolve(box), async () => 'used'), 'used');
    assert.equal(box.disposals, 1);
    let used = false;
    await assert.rejects(
      withSandbox(Promise.reject<typeof box>(new Error('no hello')), async () => {
        used = true;
      }),
      /no hello/,
    );
    assert.equal(used, false);
  });
});
