import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatDryRun, planOpen, planUrl } from '../../../src/open/open-plan.js';
import { parseTrustedDomains } from '../../../src/config/domains.js';
import { installTypes, linksReport } from '../../../src/cli/ctl-integrate.js';
import { LINK_TYPES } from '../../../src/integrate/types.js';

const BROWSER = `[Desktop Entry]
Type=Application
Name=Browser
Exec=/usr/bin/true --new-window %u
MimeType=text/html;x-scheme-handler/http;x-scheme-handler/https;
`;

function trusted(raw: string) {
  const parsed = parseTrustedDomains(raw);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

describe('a link: planned for a VM, or for the host browser when trusted', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    home = mkdtempSync(path.join(tmpdir(), 'nofear-link-plan-'));
    const apps = path.join(home, 'data', 'applications');
    mkdirSync(apps, { recursive: true });
    writeFileSync(path.join(apps, 'browser.desktop'), BROWSER);
    mkdirSync(path.join(home, 'config'));
    writeFileSync(path.join(home, 'config', 'mimeapps.list'), '[Default Applications]\nx-scheme-handler/https=browser.desktop\nx-scheme-handler/http=browser.desktop\n');
    env = { HOME: home, XDG_DATA_HOME: path.join(home, 'data'), XDG_CONFIG_HOME: path.join(home, 'config'), XDG_STATE_HOME: path.join(home, 'state'), XDG_DATA_DIRS: '/nonexistent' };
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('an untrusted link runs the browser in a VM with passt, and --dry-run says so', async () => {
    const plan = await planUrl('https://docs.example.org/x', 'https', { trusted: trusted('example.org'), env });
    assert.equal(plan.trustedBy, undefined);
    assert.equal(plan.viewer, 'browser.desktop');
    assert.deepEqual(plan.argv, ['/usr/bin/true', '--new-window', 'https://docs.example.org/x']);
    assert.equal(
      formatDryRun(plan),
      [
        'url: https://docs.example.org/x',
        'mime: x-scheme-handler/https',
        'mode: open a read-only copy in a throwaway VM with user networking',
        'viewer: browser.desktop',
        'argv: ["/usr/bin/true","--new-window","https://docs.example.org/x"]',
        'net: passt',
      ].join('\n'),
    );
    // [links] lan = no: the same VM, fenced off the local network.
    assert.match(formatDryRun(plan, undefined, undefined, true), /\nnet: passt\nlan: no \(the internet only\)$/);
  });

  it('a local .html has no network unless nofear-open --net user asks; then --dry-run says net: passt', async () => {
    const page = path.join(home, 'page.html');
    writeFileSync(page, '<!DOCTYPE html><html><body><p>a local page</p></body></html>\n');
    const plan = await planOpen(page, { maxFileSizeBytes: 1 << 20, env });
    assert.equal(plan.mime, 'text/html');
    assert.equal(plan.viewer, 'browser.desktop');
    assert.match(formatDryRun(plan), /^mode: open a read-only copy in a throwaway VM without network$/m);
    assert.doesNotMatch(formatDryRun(plan), /^net: /m);
    plan.net = 'user'; // what nofear-open does for --net user (src/cli/nofear-open.ts)
    assert.match(formatDryRun(plan), /^mode: open a read-only copy in a throwaway VM with user networking$/m);
    assert.match(formatDryRun(plan), /\nnet: passt$/);
  });

  it('a trusted link is planned for the previous browser on the host, and --dry-run says route: host', async () => {
    const plan = await planUrl('https://wiki.corp.example/', 'https', { trusted: trusted('*.corp.example'), env });
    assert.equal(plan.trustedBy, '*.corp.example');
    assert.equal(plan.viewer, 'browser.desktop');
    assert.deepEqual(plan.argv, ['/usr/bin/true', '--new-window', 'https://wiki.corp.example/']);
    assert.match(formatDryRun(plan), /^url: https:\/\/wiki\.corp\.example\/$/m);
    assert.match(formatDryRun(plan), /\nroute: host$/);
  });

  it('a trusted link with no browser of the host besides NoFear is refused with the fix', async () => {
    writeFileSync(path.join(home, 'config', 'mimeapps.list'), '[Default Applications]\nx-scheme-handler/https=org.nofear.NoFear.desktop\n');
    rmSync(path.join(home, 'data', 'applications', 'browser.desktop'));
    await assert.rejects(planUrl('https://example.org/', 'https', { trusted: trusted('example.org'), env }), (error: Error & { code?: string; fix?: string }) => {
      assert.equal(error.code, 'NoViewer');
      assert.match(error.message, /is trusted \(\[links\] trusted = example\.org\), but this desktop has no browser/);
      return true;
    });
  });

  it('integrate install --links claims the two web schemes and names the browser it recorded', () => {
    assert.deepEqual(installTypes(false, [], true), [...LINK_TYPES]);
    assert.deepEqual(LINK_TYPES, ['x-scheme-handler/http', 'x-scheme-handler/https']);
    assert.deepEqual(installTypes(false, ['application/pdf'], false), ['application/pdf']);
    assert.match(linksReport({ 'x-scheme-handler/https': 'firefox-esr.desktop' }), /now open in firefox-esr\.desktop in a throwaway VM/);
    assert.match(linksReport({}), /no browser was the default before: install one/);
  });
});
