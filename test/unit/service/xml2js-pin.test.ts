// dbus-next 0.10.2 locks xml2js 0.4.23 (CVE-2023-0842); package.json's overrides pin a fixed release. This
// checks the pin took, and that dbus-next's own introspection code still reads NoFear's contract with it
// (test/integration/service.test.ts checks the same against a live service on a real bus).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { MANAGER_INTERFACE, SANDBOX_INTERFACE } from '../../../src/service/bus/names.js';
import { parseIntrospection } from '../../helpers/introspection.js';

const require = createRequire(import.meta.url);
const ROOT = new URL('../../../', import.meta.url);
const CONTRACT = readFileSync(new URL('src/service/bus/org.nofear.NoFear1.xml', ROOT), 'utf8');

interface ProxyMethod {
  name: string;
  inSignature: string;
  outSignature: string;
}
interface ProxyShape {
  $methods: ProxyMethod[];
  $signals: Array<{ name: string; signature: string }>;
  $properties: Array<{ name: string; type: string }>;
}
interface ProxyObjectLike {
  interfaces: Record<string, ProxyShape>;
  _parser: { parseString(xml: string, done: (error: unknown, data: unknown) => void): void };
  _initXml(data: unknown): void;
}
// dbus-next ships no types for its internals: these are the members its getProxyObject uses.
const ProxyObject = require('dbus-next/lib/client/proxy-object.js') as new (bus: unknown, name: string, path: string) => ProxyObjectLike;
const xml2js = require('xml2js') as { Builder: new (options: object) => { buildObject(value: unknown): string } };

function readAsDbusNextDoes(xml: string): Promise<{ proxy: ProxyObjectLike; data: unknown }> {
  const proxy = new ProxyObject({}, 'org.nofear.NoFear', '/org/nofear/NoFear');
  return new Promise((resolve, reject) => {
    proxy._parser.parseString(xml, (error, data) => {
      if (error) return reject(error);
      proxy._initXml(data);
      resolve({ proxy, data });
    });
  });
}

describe('xml2js under dbus-next', () => {
  it('is the version package.json pins, not the vulnerable 0.4.x dbus-next locks', () => {
    const pinned = (JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { overrides: Record<string, string> }).overrides.xml2js;
    const installed = (require('xml2js/package.json') as { version: string }).version;
    assert.equal(installed, pinned);
    assert.doesNotMatch(installed, /^0\.4\./);
  });

  it('parses the introspection contract into the proxy interfaces dbus-next builds, and builds it back', async () => {
    const { proxy, data } = await readAsDbusNextDoes(CONTRACT);
    const contract = parseIntrospection(CONTRACT);
    for (const name of [MANAGER_INTERFACE, SANDBOX_INTERFACE]) {
      const iface = proxy.interfaces[name];
      assert.ok(iface, `${name} is missing`);
      const methods = Object.fromEntries(iface.$methods.map((m) => [m.name, { in: m.inSignature, out: m.outSignature }]));
      assert.deepEqual(methods, contract.get(name)?.methods);
    }
    // The service side turns the same objects into XML with xml2js's Builder (MessageBus._introspect).
    const rebuilt = new xml2js.Builder({ headless: true }).buildObject(data);
    assert.deepEqual(parseIntrospection(rebuilt), contract);
  });
});
