import assert from 'node:assert/strict';
import { controlRelations } from '../../../packaging/build-deb.js';

describe('the .deb control file', () => {
  it('recommends xpra instead of depending on it (Debian 13 ships none; NoFear falls back to safe PDFs)', () => {
    const [depends, recommends] = controlRelations();
    assert.match(depends ?? '', /^Depends: /);
    assert.doesNotMatch(depends ?? '', /\bxpra\b/);
    assert.match(recommends ?? '', /^Recommends: .*\bxpra\b/);
  });
});
