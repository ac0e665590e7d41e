// nofear-open --convert over a folder and with the new options, with real VMs and the real tesseract:
// a folder of 5 PDFs, a photo, a file it cannot convert and a subfolder becomes safe PDFs, at most
// max_sandboxes VMs at once, one notification counting them, exit 3; the text page is stored as 1 bit
// (a quarter of an RGB page's size or less), the photo as the host's JPEG (smaller than Flate); a German
// page's text layer is German (the English model misreads its words) with --ocr-lang deu and with a
// German locale. One batch and one pair of OCR runs: the VMs are the cost.
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { samplePdf } from '../../src/demo/sample-pdf.js';
import { bin, leftoverSandboxes, makeTestEnv, type TestEnv } from '../helpers/cli.js';
import { boxAverage, pdfObjects, readPpm, renderPages, rmse } from '../helpers/pdf-check.js';
import { startListener, startPrivateBus, type Listener, type PrivateBus } from '../helpers/private-bus.js';

const SPEC = '/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf';
const LISTENER = new URL('../fixtures/nofear-bus-listener.py', import.meta.url).pathname;
/**
 * The bound the safe PDF keeps (issue 31): RMSE 0.08 of the original's rendering, both rendered at the
 * page's 150 dpi and compared over 2 x 2 squares (where half a pixel of a text edge is no difference).
 * Measured on the spec's page 3 stored as 1 bit: 0.066 so; pixel by pixel it is 0.099 (0.067 is the
 * anti-aliasing thresholding drops, the rest poppler's own smoothing of 1-bit images); 2.4 % mid-tones.
 */
const RMSE_BOUND = 0.08;
/** JPEG at quality 85 of a smooth photo: measured 0.004; a wrong page or colour space is over 0.1. */
const JPEG_RMSE_BOUND = 0.02;
/**
 * Words of the German page that the English model misreads (tesseract 5.3, eng: "Grdofe", "Straf&e",
 * "fur", "Madchen", "schlieBlich", "ubernahm", "Burgerin", "AuBerst", "gemitliche", "GriiRe", "Kéln");
 * the test checks the English misreading on the host too, so the list cannot go stale unnoticed.
 */
const GERMAN_WORDS = ['Größe', 'Straße', 'für', 'Mädchen', 'schließlich', 'übernahm', 'Bürgerin', 'Äußerst', 'gemütliche', 'Grüße', 'Köln'];

async function nofearOpen(args: string[], t: TestEnv, env: Record<string, string> = {}) {
  // A batch of six VMs under a loaded TCG host takes minutes: the runs end on the program's own exit.
  const result = await execa(process.execPath, [bin('nofear-open'), ...args], { env: { ...t.env, ...env }, reject: false, stdin: 'ignore', timeout: 1_500_000 });
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** The page's image objects of a safe PDF: their dictionaries and stored sizes. */
const imagesOf = (file: string) => pdfObjects(file).filter((o) => o.head.includes('/Subtype /Image'));
const storedBytes = (file: string) => {
  const objects = pdfObjects(file);
  const image = objects.find((o) => o.head.includes('/Subtype /Image'));
  const length = Number(/\/Length (\d+) 0 R/.exec(image?.head ?? '')?.[1]);
  return Number(objects.find((o) => o.number === length)?.head.trim());
};

describe('nofear-open --convert: folders, page storage, OCR languages (real QEMU, real tesseract)', function () {
  let t: TestEnv;
  let dir: string;
  before(() => {
    t = makeTestEnv();
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-batch-'));
  });
  after(() => {
    t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => assert.deepEqual(leftoverSandboxes(t), [], 'a sandbox directory was left behind'));

  it('a folder: every convertible file converted, 2 VMs at most, one notification, exit 3; text as 1 bit, the photo as JPEG', async () => {
    const folder = path.join(dir, 'inbox');
    const sub = path.join(folder, 'sub');
    const originals = path.join(dir, 'originals');
    mkdirSync(path.join(sub, 'unsafe'), { recursive: true });
    mkdirSync(originals);
    await execa('qpdf', ['--empty', '--pages', SPEC, '3', '--', path.join(folder, 'text.pdf')]);
    await execa('qpdf', ['--empty', '--pages', SPEC, '5', '--', path.join(sub, 'spec5.pdf')]);
    for (const name of ['a.pdf', 'b.pdf']) writeFileSync(path.join(folder, name), samplePdf());
    writeFileSync(path.join(sub, 'a.pdf'), samplePdf()); // the same name as ../a.pdf: flat in --output, it gets " (2)"
    await execa('convert', ['-size', '600x400', 'plasma:fractal', '-blur', '0x3', '-depth', '8', path.join(folder, 'photo.png')]);
    writeFileSync(path.join(folder, 'data.bin'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
    // Left out by rule: a symlink, a safe PDF, an unsafe/ folder.
    symlinkSync(path.join(folder, 'a.pdf'), path.join(sub, 'link.pdf'));
    writeFileSync(path.join(sub, 'old.safe.pdf'), samplePdf());
    writeFileSync(path.join(sub, 'unsafe', 'kept.pdf'), samplePdf());
    for (const name of ['text.pdf', 'photo.png']) copyFileSync(path.join(folder, name), path.join(originals, name));
    const out = path.join(dir, 'out');
    mkdirSync(out);
    const config = path.join(dir, 'config');
    mkdirSync(path.join(config, 'nofear'), { recursive: true });
    writeFileSync(path.join(config, 'nofear', 'config.ini'), '[service]\nmax_sandboxes = 2\n');

    const bus: PrivateBus = await startPrivateBus(dir);
    let listener: Listener | undefined;
    // Every sandbox has its directory in the runtime base while its VM lives: counted at every change.
    mkdirSync(t.runtimeBase, { recursive: true, mode: 0o700 });
    let most = 0;
    const watcher = watch(t.runtimeBase, () => (most = Math.max(most, readdirSync(t.runtimeBase).length)));
    try {
      listener = await startListener(LISTENER, bus.address, { NOFEAR_LISTENER_NAMES: 'org.freedesktop.Notifications' });
      const env = { XDG_CONFIG_HOME: config, DBUS_SESSION_BUS_ADDRESS: bus.address };
      const result = await nofearOpen(['--convert', '--verbose', '--jpeg', '--keep-originals=unsafe', '--output', out, folder], t, env);
      assert.equal(result.exitCode, 3, `"some failed"\n${result.stderr}`);
      assert.deepEqual(readdirSync(out).sort(), ['a (2).safe.pdf', 'a.safe.pdf', 'b.safe.pdf', 'photo.safe.pdf', 'spec5.safe.pdf', 'text.safe.pdf']);
      assert.match(result.stderr, /nofear-open: .*data\.bin.*cannot convert data\.bin/);
      assert.match(result.stderr, /converted 6 of 7; 1 failed/);
      assert.ok(most >= 2 && most <= 2, `at most max_sandboxes = 2 VMs at once, and two did run together (most: ${most})`);
      const running = [...result.stderr.matchAll(/VM \S+ started \((\d+) running\)/g)].map((m) => Number(m[1]));
      assert.equal(running.length, 6);
      assert.ok(Math.max(...running) <= 2, `the program's own count: ${running.join(' ')}`);
      const notices = listener.records.filter((r) => r.method === 'Notify');
      assert.equal(notices.length, 1, 'one notification for the batch');
      assert.match(String(notices[0]?.args?.[3]), /NoFear converted 6 of 7 files \(6 pages\); 1 failed/);
      assert.match(String(notices[0]?.args?.[4]), /6 done, 1 failed, 6 pages\.\n• data\.bin: NoFear cannot convert data\.bin/);
      // --keep-originals=unsafe: each converted original beside its folder's unsafe/; what failed stays.
      assert.deepEqual(readdirSync(path.join(folder, 'unsafe')).sort(), ['a.pdf', 'b.pdf', 'photo.png', 'text.pdf']);
      assert.deepEqual(readdirSync(path.join(sub, 'unsafe')).sort(), ['a.pdf', 'kept.pdf', 'spec5.pdf']);
      assert.ok(existsSync(path.join(folder, 'data.bin')) && lstatSync(path.join(sub, 'link.pdf')).isSymbolicLink(), 'what failed or was left out stays');
    } finally {
      watcher.close();
      await listener?.stop();
      await bus.stop();
    }

    // The text page: 1 bit, at most a quarter of what the RGB Flate page of the same pixels (150 dpi) takes.
    const work = mkdtempSync(path.join(dir, 'render-'));
    const [original] = await renderPages(path.join(originals, 'text.pdf'), 150, work, 'original');
    const [safe] = await renderPages(path.join(out, 'text.safe.pdf'), 150, work, 'safe');
    assert.ok(original !== undefined && safe !== undefined);
    assert.match(imagesOf(path.join(out, 'text.safe.pdf'))[0]?.head ?? '', /\/ColorSpace \/DeviceGray \/BitsPerComponent 1 \/Filter \/FlateDecode/);
    const rgbFlate = deflateSync(original.rgb, { level: 6 }).length;
    const text = storedBytes(path.join(out, 'text.safe.pdf'));
    assert.ok(text * 4 <= rgbFlate, `text page: ${text} bytes against ${rgbFlate} as RGB Flate`);
    const difference = rmse(boxAverage(original, 2), boxAverage(safe, 2));
    assert.ok(difference <= RMSE_BOUND, `text page RMSE ${difference}`);

    // The photo: JPEG, smaller than the Flate of the same pixels, within the stated RMSE.
    await execa('convert', [path.join(originals, 'photo.png'), '-depth', '8', path.join(work, 'photo.ppm')]);
    const photo = readPpm(path.join(work, 'photo.ppm'));
    const [photoSafe] = await renderPages(path.join(out, 'photo.safe.pdf'), 150, work, 'photo');
    assert.match(imagesOf(path.join(out, 'photo.safe.pdf'))[0]?.head ?? '', /\/ColorSpace \/DeviceRGB \/BitsPerComponent 8 \/Filter \/DCTDecode/);
    const jpeg = storedBytes(path.join(out, 'photo.safe.pdf'));
    assert.ok(jpeg < deflateSync(photo.rgb, { level: 6 }).length, `photo: ${jpeg} bytes as JPEG`);
    assert.ok(photoSafe !== undefined && rmse(photo, photoSafe) <= JPEG_RMSE_BOUND, `photo RMSE ${photoSafe === undefined ? '-' : rmse(photo, photoSafe)}`);
  });

  it('a German page: German words with --ocr-lang deu, and with LANG=de_DE.UTF-8 and no option', async () => {
    const page = path.join(dir, 'german.png');
    await execa('convert', ['-size', '1240x400', 'xc:white', '-font', 'DejaVu-Sans', '-pointsize', '40', '-fill', 'black',
      '-annotate', '+60+100', 'Die Größe der Straße für Mädchen', '-annotate', '+60+200', 'schließlich übernahm die Bürgerin', '-annotate', '+60+300', 'Äußerst gemütliche Grüße aus Köln', page]); // prettier-ignore
    // The English model misreads every one of them (on the host, from the same trusted pixels).
    const english = (await execa('tesseract', [page, '-', '-l', 'eng'])).stdout;
    for (const word of GERMAN_WORDS) assert.ok(!english.includes(word), `the English model read ${word}: the test's premise is gone`);
    const second = path.join(dir, 'german-locale');
    mkdirSync(second);
    copyFileSync(page, path.join(second, 'german.png'));
    // Both conversions at once: four VMs' time in two's.
    const [withOption, withLocale] = await Promise.all([
      nofearOpen(['--convert', '--ocr-lang', 'deu', page], t, { LANG: 'C.UTF-8' }),
      nofearOpen(['--convert', '--ocr', path.join(second, 'german.png')], t, { LANG: 'de_DE.UTF-8' }),
    ]);
    for (const [result, file] of [
      [withOption, path.join(dir, 'german.safe.pdf')],
      [withLocale, path.join(second, 'german.safe.pdf')],
    ] as const) {
      assert.equal(result.exitCode, 0, result.stderr);
      const text = (await execa('pdftotext', [file, '-'])).stdout;
      for (const word of GERMAN_WORDS) assert.ok(text.includes(word), `${path.basename(path.dirname(file))}: ${word} missing from ${JSON.stringify(text)}`);
    }
    assert.ok(readFileSync(path.join(dir, 'german.safe.pdf')).length > 0);
  });
});
