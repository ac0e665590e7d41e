// NoFear's edit of tumbler.rc: tumbler's in-process parsers off, everything else as it was, and undone.
import assert from 'node:assert/strict';
import { KeyFile } from '../../../src/desktop/keyfile.js';
import { disableParsingPlugins, enableParsingPlugins, PARSING_PLUGINS } from '../../../src/integrate/tumbler.js';

const SYSTEM_RC = '# tumbler\n[PopplerThumbnailer]\nDisabled=false\nPriority=2\n\n[DesktopThumbnailer]\nDisabled=false\nPriority=2\n\n[CoverThumbnailer]\nDisabled=true\n';

describe('tumbler.rc edit', () => {
  it('disables every plugin that parses inside tumblerd, keeps the DesktopThumbnailer and the other lines', () => {
    const edited = KeyFile.parse(disableParsingPlugins(SYSTEM_RC));
    for (const group of PARSING_PLUGINS) assert.equal(edited.getString(group, 'Disabled'), 'true', group);
    assert.equal(edited.getString('DesktopThumbnailer', 'Disabled'), 'false');
    assert.equal(edited.getString('PopplerThumbnailer', 'Priority'), '2');
    assert.match(edited.toString(), /^# NoFear: disabled/);
  });

  it('changes nothing twice, and writes a whole rc where there was none', () => {
    const once = disableParsingPlugins(SYSTEM_RC);
    assert.equal(disableParsingPlugins(once), once);
    const fresh = KeyFile.parse(disableParsingPlugins(undefined));
    assert.deepEqual(fresh.groups(), [...PARSING_PLUGINS]);
  });

  it('undoes the edit: the note goes and the plugins are enabled again', () => {
    const undone = enableParsingPlugins(disableParsingPlugins(SYSTEM_RC));
    assert.doesNotMatch(undone, /NoFear/);
    assert.equal(KeyFile.parse(undone).getString('PopplerThumbnailer', 'Disabled'), 'false');
    assert.equal(KeyFile.parse(undone).getString('CoverThumbnailer', 'Disabled'), 'true');
  });
});
