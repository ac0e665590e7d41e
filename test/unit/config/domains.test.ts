import assert from 'node:assert/strict';
import { canonicalHost, formatTrustedDomains, parseTrustedDomains, trustingEntry, type TrustedDomain } from '../../../src/config/domains.js';
import { parseConfig } from '../../../src/config/parse.js';

function domains(raw: string): TrustedDomain[] {
  const parsed = parseTrustedDomains(raw);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

describe('[links] trusted', () => {
  it('reads hosts as a browser does: lower case, punycode, IPv4 as written', () => {
    assert.equal(canonicalHost('Example.ORG'), 'example.org');
    assert.equal(canonicalHost('bücher.example'), 'xn--bcher-kva.example');
    assert.equal(canonicalHost('192.0.2.2'), '192.0.2.2');
    for (const bad of ['', 'a b', 'example.org/path', 'user@example.org', 'example.org:8080', 'exa\\mple.org']) assert.equal(canonicalHost(bad), undefined, bad);
  });

  it('parses commas and spaces, and refuses what is no domain with its reason', () => {
    assert.deepEqual(domains('example.org, *.Corp.Example  other.test'), [
      { host: 'example.org', subdomains: false },
      { host: 'corp.example', subdomains: true },
      { host: 'other.test', subdomains: false },
    ]);
    assert.deepEqual(domains(''), []);
    assert.deepEqual(parseTrustedDomains('example.org, http://x.test/'), { ok: false, reason: '"http://x.test/" is not a domain' });
    assert.deepEqual(parseTrustedDomains('*.*.example'), { ok: false, reason: '"*.*.example" is not a domain' });
    assert.equal(formatTrustedDomains(domains('*.corp.example,example.org')), '*.corp.example, example.org');
  });

  it('example.org is that host only; *.x is the subdomains of x only; matching uses the URL parser', () => {
    const list = domains('example.org, *.corp.example, bücher.example');
    const cases: [string, string | undefined][] = [
      ['https://example.org/a', 'example.org'],
      ['https://EXAMPLE.org./', undefined], // a trailing dot is another name to a browser's parser too
      ['https://www.example.org/', undefined],
      ['https://example.org.evil.test/', undefined],
      ['https://evil.test/?example.org', undefined],
      ['https://example.org@evil.test/', undefined],
      ['https://wiki.corp.example/', '*.corp.example'],
      ['https://a.b.corp.example:8443/', '*.corp.example'],
      ['https://corp.example/', undefined],
      ['https://xcorp.example/', undefined],
      ['http://xn--bcher-kva.example/', 'xn--bcher-kva.example'],
      ['https://BÜCHER.example/', 'xn--bcher-kva.example'],
      ['not a url', undefined],
    ];
    for (const [url, expected] of cases) assert.equal(trustingEntry(url, list), expected, url);
  });

  it('config.ini names the line of a bad entry and keeps trusting nothing', () => {
    const result = parseConfig('[links]\ntrusted = example.org, https://bad/\n', '/c/config.ini', { hostMemoryMiB: 4096 });
    assert.deepEqual(result.config.links.trusted, []);
    assert.equal(result.problems.length, 1);
    assert.equal(result.problems[0]?.line, 2);
    assert.match(result.problems[0]?.message ?? '', /"https:\/\/bad\/" is not a domain/);
    const good = parseConfig('[links]\ntrusted = *.corp.example\n', '/c/config.ini', { hostMemoryMiB: 4096 });
    assert.deepEqual(good.config.links.trusted, [{ host: 'corp.example', subdomains: true }]);
  });
});
