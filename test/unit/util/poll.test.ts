// pollUntil: true as soon as the condition holds (checked first, before any wait), false once the deadline
// passed without it; an async condition is awaited.
import assert from 'node:assert/strict';
import { pollUntil } from '../../../src/util/poll.js';

describe('pollUntil', () => {
  it('answers true at once when the condition already holds, without waiting an interval', async () => {
    let checks = 0;
    assert.equal(
      await pollUntil(
        () => {
          checks += 1;
          return true;
        },
        0,
        60_000,
      ),
      true,
    );
    assert.equal(checks, 1);
  });

  it('checks again each interval until the condition holds, awaiting an async one', async () => {
    let checks = 0;
    assert.equal(await pollUntil(async () => ++checks === 3, 60_000, 1), true);
    assert.equal(checks, 3);
  });

  it('answers false once the deadline has passed, after checking at least once', async () => {
    let checks = 0;
    assert.equal(
      await pollUntil(() => {
        checks += 1;
        return false;
      }, 0),
      false,
    );
    assert.equal(checks, 1);
  });
});
