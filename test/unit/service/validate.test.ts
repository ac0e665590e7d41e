// Arguments from the bus and the D-Bus boundary's pure parts: named errors, object paths, bus addresses.
import assert from 'node:assert/strict';
import dbus from 'dbus-next';
import { isNoFearError, limitReached, NoFearError } from '../../../src/errors.js';
import { isObjectPath, sandboxIdOf, sandboxObjectPath } from '../../../src/service/bus/names.js';
import { sessionBusAddress } from '../../../src/service/bus/bus.js';
import { toDBusError } from '../../../src/service/bus/interfaces.js';
import { checkAbsolute, checkOptions, checkStrings, CONVERT_OPTIONS, MAX_ITEMS, OPEN_OPTIONS, RUN_OPTIONS } from '../../../src/service/daemon/validate.js';

const invalid = (error: unknown) => isNoFearError(error) && error.code === 'InvalidArgument';
const v = (signature: string, value: unknown) => new dbus.Variant(signature, value);

describe('service argument checks', () => {
  it('takes 1 to 64 strings', () => {
    assert.deepEqual(checkStrings(['a', 'b'], 'argv'), ['a', 'b']);
    assert.throws(() => checkStrings([], 'argv'), invalid);
    assert.throws(
      () =>
        checkStrings(
          Array.from({ length: MAX_ITEMS + 1 }, () => 'x'),
          'argv',
        ),
      (e: unknown) => invalid(e) && /65 entries; at most 64/.test(String(e)),
    );
    assert.throws(() => checkStrings(['x'.repeat(20_000)], 'argv'), invalid);
    assert.throws(() => checkStrings('a', 'argv'), invalid);
  });

  it("knows Convert's options and the edit options of OpenFiles", () => {
    assert.deepEqual(checkOptions({ output: v('s', '/tmp/out'), ocr: v('b', true), wait: v('b', false) }, CONVERT_OPTIONS), { output: '/tmp/out', ocr: true, wait: false });
    assert.deepEqual(checkOptions({ edit: v('b', true), save_back: v('s', 'never') }, OPEN_OPTIONS), { edit: true, save_back: 'never' });
    // What nofear-open --convert passes: the resolution as an unsigned integer, the OCR's languages, JPEG photo pages.
    assert.deepEqual(checkOptions({ dpi: v('u', 150), ocr: v('b', true), ocr_languages: v('s', 'deu+eng'), jpeg: v('b', true) }, CONVERT_OPTIONS), {
      dpi: 150,
      ocr: true,
      ocr_languages: 'deu+eng',
      jpeg: true,
    });
    for (const dpi of [74, 301]) {
      assert.throws(
        () => checkOptions({ dpi: v('u', dpi) }, CONVERT_OPTIONS),
        (e: unknown) => invalid(e) && /dpi must be from 75 to 300/.test(String(e)),
      );
    }
    assert.throws(
      () => checkOptions({ dpi: v('u', 1.5) }, CONVERT_OPTIONS),
      (e: unknown) => invalid(e) && /dpi must have type u/.test(String(e)),
    );
    assert.throws(
      () => checkOptions({ ocr_languages: v('s', 'deu') }, CONVERT_OPTIONS),
      (e: unknown) => invalid(e) && /ocr_languages goes with ocr=true/.test(String(e)),
    );
    assert.throws(
      () => checkOptions({ output: v('s', 'relative/dir') }, CONVERT_OPTIONS),
      (e: unknown) => invalid(e) && /not an absolute output directory/.test(String(e)),
    );
    assert.throws(
      () => checkOptions({ viewer: v('s', 'mupdf.desktop') }, CONVERT_OPTIONS),
      (e: unknown) => invalid(e) && /Unknown option "viewer"/.test(String(e)),
    );
    assert.throws(
      () => checkOptions({ edit: v('b', true), save_back: v('s', 'maybe') }, OPEN_OPTIONS),
      (e: unknown) => invalid(e) && /save_back must be/.test(String(e)),
    );
    assert.throws(
      () => checkOptions({ save_back: v('s', 'always') }, OPEN_OPTIONS),
      (e: unknown) => invalid(e) && /goes with edit=true/.test(String(e)),
    );
  });

  it('knows each option and its variant type', () => {
    assert.deepEqual(checkOptions({ wait: v('b', true), viewer: v('s', 'mupdf.desktop') }, OPEN_OPTIONS), { wait: true, viewer: 'mupdf.desktop' });
    assert.deepEqual(checkOptions({ net: v('s', 'user'), gui: v('b', false) }, RUN_OPTIONS), { net: 'user', gui: false });
    assert.throws(
      () => checkOptions({ wait: v('s', 'yes') }, OPEN_OPTIONS),
      (e: unknown) => invalid(e) && /wait must have type b, not s/.test(String(e)),
    );
    assert.throws(() => checkOptions({ profile: v('b', true) }, RUN_OPTIONS), invalid);
    assert.throws(
      () => checkOptions({ bogus: v('b', true) }, RUN_OPTIONS),
      (e: unknown) => invalid(e) && /Unknown option "bogus"/.test(String(e)),
    );
    assert.throws(() => checkOptions({ gui: v('b', true) }, OPEN_OPTIONS), invalid, 'gui is for Run only');
    assert.throws(() => checkOptions({ net: v('s', 'host') }, RUN_OPTIONS), invalid);
    assert.throws(() => checkOptions([], RUN_OPTIONS), invalid);
    assert.throws(() => checkOptions({ wait: 'plain' }, RUN_OPTIONS), invalid);
  });

  it('wants absolute paths', () => {
    assert.equal(checkAbsolute('/a/b'), '/a/b');
    assert.throws(() => checkAbsolute('a/b'), invalid);
    assert.throws(() => checkAbsolute(''), invalid);
  });
});

describe('the D-Bus boundary', () => {
  it('maps each NoFear error to its named D-Bus error, with the fix in the text', () => {
    const error = toDBusError(limitReached('Too many.', 'close one'));
    assert.equal(error.type, 'org.nofear.NoFear1.Error.LimitReached');
    assert.equal(error.text, 'Too many. Fix: close one');
    assert.equal(toDBusError(new NoFearError('Failed', 'QEMU died')).type, 'org.nofear.NoFear1.Error.Unavailable');
  });

  it('answers a bug as Unavailable with one line and no stack, and reports it', () => {
    const reported: unknown[] = [];
    const bug = new TypeError('x is undefined');
    const error = toDBusError(bug, (e) => reported.push(e));
    assert.equal(error.type, 'org.nofear.NoFear1.Error.Unavailable');
    assert.doesNotMatch(error.text, /at |\n/);
    assert.deepEqual(reported, [bug]);
    assert.equal(toDBusError(new dbus.DBusError('org.freedesktop.DBus.Error.ServiceUnknown', 'x')).type, 'org.nofear.NoFear1.Error.Unavailable');
  });

  it('builds and checks object paths', () => {
    assert.equal(sandboxObjectPath('0123abcd'), '/org/nofear/NoFear/sandbox/0123abcd');
    assert.throws(() => sandboxObjectPath('../x'));
    assert.throws(() => sandboxObjectPath('0123ABCD'));
    assert.equal(sandboxIdOf('/org/nofear/NoFear/sandbox/0123abcd'), '0123abcd');
    assert.equal(sandboxIdOf('/org/nofear/NoFear/sandbox/0123abcd/x'), undefined);
    for (const good of ['/', '/a', '/a/b_1']) assert.equal(isObjectPath(good), true, good);
    for (const bad of ['', 'a', '/a/', '//a', '/a-b', '/a/./b', 42]) assert.equal(isObjectPath(bad), false, String(bad));
  });

  it('finds a session bus it can reach, and says so clearly when there is none', () => {
    assert.equal(sessionBusAddress({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1/bus' }), 'unix:path=/run/user/1/bus');
    assert.equal(sessionBusAddress({ XDG_RUNTIME_DIR: '/run/user/1' }), 'unix:path=/run/user/1/bus');
    assert.equal(sessionBusAddress({ DBUS_SESSION_BUS_ADDRESS: 'unix:abstract=/tmp/x,guid=1;unix:path=/tmp/y' }), 'unix:path=/tmp/y');
    assert.throws(
      () => sessionBusAddress({}),
      (e: unknown) => isNoFearError(e) && e.code === 'Unavailable',
    );
    assert.throws(
      () => sessionBusAddress({ DBUS_SESSION_BUS_ADDRESS: 'unix:abstract=/tmp/dbus-x' }),
      (e: unknown) => isNoFearError(e) && /abstract socket/.test(e.message),
    );
  });
});
