import assert from 'node:assert/strict';
import { renderHelp } from '../../../src/cli/help.js';
import { renderManPage } from '../../../src/cli/man-page.js';
import { IN_PROCESS_NOTICE } from '../../../src/cli/open-texts.js';
import { NOFEAR_OPEN_SPEC } from '../../../src/cli/spec-nofear.js';
import { MAN_EXTRAS } from '../../../src/cli/write-docs.js';

const flat = (text: string) => text.replace(/\s+/g, ' ');

describe("nofear-open's --help and man page say what it does", () => {
  it('in-process it stays in the foreground until its VMs end; it no longer claims to exit once the windows are open (defect 8)', () => {
    const help = flat(renderHelp(NOFEAR_OPEN_SPEC));
    assert.doesNotMatch(help, /exits 0 once the windows are open/);
    assert.ok(help.includes(`stays in the foreground until its VMs end: ${IN_PROCESS_NOTICE}.`), help);
    assert.equal(IN_PROCESS_NOTICE, 'close the window to finish; Ctrl-C stops it');
  });

  it('names the exit statuses 0, 3 and 125 in --help and in the man page’s EXIT STATUS, from one table', () => {
    const help = flat(renderHelp(NOFEAR_OPEN_SPEC));
    const man = renderManPage(NOFEAR_OPEN_SPEC, '0.0.0', MAN_EXTRAS['nofear-open'] ?? { sections: [], seeAlso: [] });
    const exitSection = flat(/\.SH "?EXIT STATUS"?\n([\s\S]*?)\n\.SH/i.exec(man)?.[1] ?? '');
    for (const text of [help, exitSection]) {
      assert.match(text, /0 when every file was opened \(or converted\); 3 when some were and some failed, each failure told with its fix; 125 when none was/);
      assert.match(text, /A viewer's own exit status is not returned\./);
    }
  });
});
