// The introspection XML is the contract: the service's member tables must say exactly what it says.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { APPLICATION_MEMBERS, MANAGER_MEMBERS, SANDBOX_MEMBERS } from '../../../src/service/bus/interfaces.js';
import { APPLICATION_INTERFACE, MANAGER_INTERFACE, SANDBOX_INTERFACE } from '../../../src/service/bus/names.js';
import { parseIntrospection, shapeOfMembers } from '../../helpers/introspection.js';

const CONTRACT = new URL('../../../src/service/bus/org.nofear.NoFear1.xml', import.meta.url);

describe('service contract (org.nofear.NoFear1.xml)', () => {
  const contract = parseIntrospection(readFileSync(CONTRACT, 'utf8'));

  it('names exactly the three interfaces the service exports', () => {
    assert.deepEqual([...contract.keys()].sort(), [APPLICATION_INTERFACE, MANAGER_INTERFACE, SANDBOX_INTERFACE].sort());
  });

  for (const [name, members] of [
    [MANAGER_INTERFACE, MANAGER_MEMBERS],
    [SANDBOX_INTERFACE, SANDBOX_MEMBERS],
    [APPLICATION_INTERFACE, APPLICATION_MEMBERS],
  ] as const) {
    it(`${name}: methods, signals and properties match the member table`, () => {
      assert.deepEqual(shapeOfMembers(members), contract.get(name));
    });
  }

  it('documents every named error the service can send', () => {
    const text = readFileSync(CONTRACT, 'utf8');
    for (const error of ['InvalidArgument', 'NotFound', 'NoViewer', 'LimitReached', 'Unavailable', 'AccessDenied']) {
      assert.match(text, new RegExp(`org\\.nofear\\.NoFear1\\.Error\\.${error}\\b`));
    }
  });
});
