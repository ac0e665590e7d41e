// The rule that says whether a file is from outside, the places' expansion and the sidecar's bookkeeping.
import assert from 'node:assert/strict';
import { expandPlaces, parseUserDirs, placeOf } from '../../../src/trust/places.js';
import { BROWSER_ATTR, ORIGIN_ATTR, TRUSTED_ATTR, arrivalMark, decodeMark, encodeMark, judge } from '../../../src/trust/rule.js';
import { withAttr } from '../../../src/trust/sidecar.js';
import { decideRoute } from '../../../src/service/daemon/route-by-origin.js';
import { DEFAULT_TRUST_PLACES } from '../../../src/config/types.js';

const HOME = '/home/u';

describe('trust/places', () => {
  it('reads the XDG download dir from user-dirs.dirs, and ignores one that is the home itself', () => {
    assert.deepEqual(parseUserDirs('# c\nXDG_DOWNLOAD_DIR="$HOME/Téléchargements"\nXDG_MUSIC_DIR="$HOME/"\nXDG_X_DIR="/abs"\n', HOME), { DOWNLOAD: '/home/u/Téléchargements', X: '/abs' });
  });

  it('expands ~, $VAR, ${VAR} and xdg:DOWNLOAD, and skips entries whose variable is unset', () => {
    const { places, skipped } = expandPlaces([...DEFAULT_TRUST_PLACES, '~/Mail', '~'], { USER: 'u', XDG_RUNTIME_DIR: '/run/user/1000' }, HOME, {});
    assert.deepEqual(places, ['/home/u/Downloads', '/run/media/u', '/run/user/1000/gvfs', '/tmp/mozilla_u0', '/home/u/Mail', '/home/u']);
    assert.deepEqual(skipped, []);
    const none = expandPlaces(['$XDG_RUNTIME_DIR/gvfs', 'xdg:NOPE'], {}, HOME, { DOWNLOAD: '/d' });
    assert.deepEqual(none.places, []);
    assert.match(none.skipped.join('\n'), /\$XDG_RUNTIME_DIR is not set[\s\S]*no such XDG user directory/);
  });

  it('finds the place a file lies under, at any depth, and not a sibling with the same prefix', () => {
    const places = ['/home/u/Downloads', '/tmp/mozilla_u0'];
    assert.equal(placeOf('/home/u/Downloads/a/b/c.pdf', places), '/home/u/Downloads');
    assert.equal(placeOf('/home/u/Downloads-old/c.pdf', places), undefined);
    assert.equal(placeOf('/home/u/Documents/c.pdf', places), undefined);
  });
});

describe('trust/rule', () => {
  const mark = encodeMark({ from: 'arrived in /home/u/Downloads', at: '2026-12-06T10:00:00.000Z' });

  it('counts a place, NoFear’s mark or a browser’s mark as from outside; nothing else', () => {
    assert.deepEqual(judge({ place: '/home/u/Downloads', attrs: {} }), { outside: true, why: 'in /home/u/Downloads' });
    assert.deepEqual(judge({ place: undefined, attrs: { [ORIGIN_ATTR]: mark } }), { outside: true, why: 'arrived in /home/u/Downloads, marked 2026-12-06T10:00:00.000Z' });
    assert.deepEqual(judge({ place: undefined, attrs: { [BROWSER_ATTR]: 'https://evil.example/x.pdf' } }), { outside: true, why: 'downloaded from https://evil.example/x.pdf' });
    assert.deepEqual(judge({ place: undefined, attrs: {} }), { outside: false, why: 'no mark, not in an untrusted place', trusted: false });
  });

  it('lets the user’s trust win over the place and both marks', () => {
    const verdict = judge({ place: '/home/u/Downloads', attrs: { [TRUSTED_ATTR]: '{}', [ORIGIN_ATTR]: mark, [BROWSER_ATTR]: 'https://x' } });
    assert.equal(verdict.outside, false);
  });

  it('reads a hostile or foreign mark as a mark, on one line with its controls shown escaped (oneLine), and its length bounded', () => {
    assert.equal(decodeMark('\u001b[31mred\u0007').from, '^[[31mred^G');
    assert.equal(decodeMark('x'.repeat(10_000)).from.length, 2048);
    assert.equal(decodeMark('').from, 'unknown');
    assert.equal(judge({ place: undefined, attrs: { [BROWSER_ATTR]: 'https://a\nb' } }).why, 'downloaded from https://a^Jb');
  });

  it('writes the browser’s address into the arrival mark when there is one, else the place', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    assert.equal(arrivalMark({ place: '/d', attrs: { [BROWSER_ATTR]: 'https://e/x' } }, now).from, 'downloaded from https://e/x');
    assert.deepEqual(arrivalMark({ place: '/d', attrs: {} }, now), { from: 'arrived in /d', at: '2026-01-01T00:00:00.000Z' });
  });
});

describe('trust/sidecar', () => {
  it('sets and removes attributes per inode, dropping an inode with none left', () => {
    const one = withAttr({}, '1:2', '/f', ORIGIN_ATTR, 'm');
    assert.deepEqual(one, { '1:2': { path: '/f', attrs: { [ORIGIN_ATTR]: 'm' } } });
    const two = withAttr(one, '1:2', '/g', TRUSTED_ATTR, 't');
    assert.deepEqual(two['1:2']?.attrs, { [ORIGIN_ATTR]: 'm', [TRUSTED_ATTR]: 't' });
    assert.deepEqual(withAttr(withAttr(two, '1:2', '/g', TRUSTED_ATTR, undefined), '1:2', '/g', ORIGIN_ATTR, undefined), {});
  });
});

describe('service/route-by-origin', () => {
  const app = { id: 'evince.desktop', entry: {} as never, origin: 'x' };
  it('sends everything to a VM under policy = everything, and files from outside under policy = marked', () => {
    assert.equal(decideRoute('everything', { outside: false, why: '', trusted: false }, app).to, 'vm');
    assert.equal(decideRoute('marked', { outside: true, why: 'in /d' }, app).to, 'vm');
    assert.equal(decideRoute('marked', undefined, app).to, 'vm');
  });
  it('opens an unmarked file natively, or in a VM when nothing else opens its type', () => {
    assert.equal(decideRoute('marked', { outside: false, why: '', trusted: false }, app).to, 'native');
    assert.equal(decideRoute('marked', { outside: false, why: '', trusted: false }, undefined).to, 'vm');
  });
});

describe('integrate/by-origin', () => {
  it('sets [trust] policy and watch, keeping every other line (comments included)', async () => {
    const { withByOrigin } = await import('../../../src/integrate/by-origin.js');
    assert.equal(withByOrigin(''), '[trust]\nwatch = on\npolicy = marked\n');
    assert.equal(withByOrigin('; mine\n[pool]\nsize = 0\n'), '; mine\n[pool]\nsize = 0\n\n[trust]\nwatch = on\npolicy = marked\n');
    assert.equal(withByOrigin('[trust]\npolicy = everything ; old\nplaces = ~/In\n[vm]\ncpus = 1\n'), '[trust]\nwatch = on\npolicy = marked\nplaces = ~/In\n[vm]\ncpus = 1\n');
  });
});

describe('cli/doctor-trust', () => {
  it('names the places that fall back to the sidecar, with a fix; all-xattr places are OK', async () => {
    const { trustChecks } = await import('../../../src/cli/doctor-trust.js');
    const { defaultConfig } = await import('../../../src/config/index.js');
    const config = defaultConfig();
    const fallback = trustChecks(
      config,
      [
        { place: '/media/stick', store: 'sidecar' },
        { place: '/home/u/Downloads', store: 'xattr' },
      ],
      [],
      '/c.ini',
    );
    const places = fallback.find((c) => c.name === 'trust places');
    assert.equal(places?.status, 'WARN');
    assert.match(places?.detail ?? '', /no user xattrs on \/media\/stick: .*sidecar/);
    assert.ok(!(places?.detail ?? '').includes('Downloads'));
    assert.match(places?.fix ?? '', /user_xattr/);
    const fine = trustChecks(config, [{ place: '/home/u/Downloads', store: 'xattr' }], [], '/c.ini');
    assert.deepEqual(
      fine.map((c) => c.status),
      ['OK', 'OK'],
    );
    assert.match(fine[0]?.detail ?? '', /policy everything.*set \[trust\] watch = on in \/c\.ini/);
  });

  it('says which system thumbnailers lack the guard, with the fix, and names what no guard covers', async () => {
    const { thumbnailCheck } = await import('../../../src/cli/doctor-trust.js');
    const missing = thumbnailCheck(['evince.thumbnailer'], ['gdk-pixbuf-thumbnailer.thumbnailer']);
    assert.equal(missing.status, 'WARN');
    assert.match(missing.detail, /gdk-pixbuf-thumbnailer\.thumbnailer without NoFear's guard/);
    assert.equal(missing.fix, 'nofearctl integrate install');
    const all = thumbnailCheck(['evince.thumbnailer'], []);
    assert.equal(all.status, 'OK');
    assert.match(all.detail, /1 thumbnailer\(s\) behind NoFear's guard.*not covered: quick previewers/);
  });
});
