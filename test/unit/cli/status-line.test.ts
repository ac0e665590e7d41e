// The terminal belongs to the status line: notices above it, never glued to it; the seconds so far and the
// usual time here; a long name shortened, never the state.
import assert from 'node:assert/strict';
import { StatusLine, statusText } from '../../../src/cli/status-line.js';
import { BOOT_AGAIN } from '../../../src/sandbox/sandbox.js';
import { screenLines } from '../../helpers/terminal-screen.js';
import { noticeBody } from '../../../src/service/bus/open-notices.js';

function fakeTerminal(columns = 100) {
  let output = '';
  const stream = { columns, isTTY: true, write: (chunk: string) => ((output += chunk), true) } as unknown as NodeJS.WriteStream;
  return { stream, output: () => output };
}

describe('the status line', () => {
  it('prints a notice on its own line above the status line, and draws the line again below it', () => {
    const terminal = fakeTerminal();
    const status = new StatusLine(terminal.stream, true);
    status.step('report.pdf', 'booting');
    status.notices('nofear-open', () => assert.fail('the status line takes the notice'))('KVM not used (/dev/kvm is missing): running under TCG, several times slower');
    assert.deepEqual(screenLines(terminal.output()), ['nofear-open: KVM not used (/dev/kvm is missing): running under TCG, several times slower', 'report.pdf: booting a throwaway VM… 0 s']);
    status.end();
    assert.deepEqual(screenLines(terminal.output()), ['nofear-open: KVM not used (/dev/kvm is missing): running under TCG, several times slower', '']);
  });

  it('says the retry after a silent boot, and leaves notices to the fallback where it is off', () => {
    const terminal = fakeTerminal();
    const status = new StatusLine(terminal.stream, true, 10_000);
    status.step('report.pdf', 'booting');
    status.notice(`nofear-open: the guest said nothing for 45 s: ${BOOT_AGAIN}`);
    assert.equal(screenLines(terminal.output()).at(-1), 'report.pdf: booting a throwaway VM… (again, after a silent boot) 0 s, usually 10 s here');
    const off = new StatusLine(fakeTerminal().stream, false);
    const heard: string[] = [];
    off.notices('nofear-open', (line) => heard.push(line))('hello');
    assert.deepEqual(heard, ['hello']);
  });

  it('shows the seconds so far and the usual time here, and shortens a long name, never the state', () => {
    const timing = { elapsedMs: 8200, usualMs: 10_000, retried: false };
    assert.equal(statusText('report.pdf', 'starting the viewer…', timing, 79), 'report.pdf: starting the viewer… 8 s, usually 10 s here');
    assert.equal(statusText('report.pdf', 'booting a throwaway VM…', { ...timing, usualMs: undefined }, 79), 'report.pdf: booting a throwaway VM… 8 s');
    const long = `${'Quarterly report of the regional office '.repeat(4)}final.pdf`;
    const text = statusText(long, 'booting a throwaway VM…', timing, 79);
    assert.ok(text.length <= 79, text);
    assert.ok(text.endsWith(': booting a throwaway VM… 8 s, usually 10 s here'), text);
    assert.match(text, /^Quarterly.*….*final\.pdf: /);
    assert.ok(statusText(long, 'booting a throwaway VM…', timing, 20).length <= 20);
  });

  it('gives the desktop notification the same facts: the step, the seconds so far, the usual time here', () => {
    assert.equal(noticeBody('booting', 12_400, 10_000), 'Starting a throwaway VM… 12 s, usually 10 s here');
    assert.equal(noticeBody('booted', 3000, undefined), 'Starting the viewer… 3 s');
  });
});
