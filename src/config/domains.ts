// `[links] trusted`: the web domains whose links open in the host's own browser instead of a throwaway VM.
// Hosts are compared as a WHATWG URL parser gives them (lower case, punycode, IPv6 in brackets), so
// `Bücher.example` in config.ini and `xn--bcher-kva.example` in a link are the same domain.
import type { Parsed } from './values.js';
import type { TrustedDomain } from './types.js';

export type { TrustedDomain };

/** The host as a browser would see it, or undefined when no URL could carry it. */
export function canonicalHost(raw: string): string | undefined {
  if (raw === '' || /[/?#@\s\\]/.test(raw)) return undefined;
  try {
    const url = new URL(`http://${raw}/`);
    return url.port === '' ? url.hostname : undefined;
  } catch {
    return undefined;
  }
}

/** Parses "example.org, *.corp.example": commas or spaces between entries; an empty value trusts nothing. */
export function parseTrustedDomains(raw: string): Parsed<TrustedDomain[]> {
  const domains: TrustedDomain[] = [];
  for (const entry of raw.split(/[\s,]+/).filter((e) => e !== '')) {
    const subdomains = entry.startsWith('*.');
    const host = canonicalHost(subdomains ? entry.slice(2) : entry);
    if (host === undefined || host.includes('*')) return { ok: false, reason: `${JSON.stringify(entry)} is not a domain` };
    domains.push({ host, subdomains });
  }
  return { ok: true, value: domains };
}

export function formatTrustedDomains(domains: readonly TrustedDomain[]): string {
  return domains.map((d) => (d.subdomains ? `*.${d.host}` : d.host)).join(', ');
}

/** The entry that trusts this http(s) URL's host, as config.ini spells it; undefined when none does. */
export function trustingEntry(url: string, domains: readonly TrustedDomain[]): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return undefined;
  }
  const hit = domains.find((d) => (d.subdomains ? host.endsWith(`.${d.host}`) : host === d.host));
  return hit === undefined ? undefined : formatTrustedDomains([hit]);
}
