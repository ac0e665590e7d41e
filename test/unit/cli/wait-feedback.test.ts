// A 10-45 s wait with a sense of time (issue 25, defect 13), through the entry points that were there
// before the change (StatusLine's step, OpenNotices' begin), so that each assertion fails on the old
// behaviour: the line counts the seconds on its own and shortens a long name rather than cut the state off;
// the desktop notification is updated in place through a quiet boot, with the seconds so far.
import assert from 'node:assert/strict';
import { StatusLine } from '../../../src/cli/status-line.js';
import { OpenNotices } from '../../../src/service/bus/open-notices.js';
import type { Notice, Notifications } from '../../../src/service/bus/notifications.js';
import { EventWaits } from '../../helpers/event-waits.js';
import { screenLines } from '../../helpers/terminal-screen.js';

/** A terminal `columns` wide that records what is written, and tells each write to whoever waits. */
function recordingTerminal(columns: number) {
  let output = '';
  const waits = new EventWaits();
  const stream = {
    columns,
    isTTY: true,
    write: (chunk: string) => {
      output += chunk;
      waits.wake();
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  const last = () => screenLines(output).at(-1) ?? '';
  /** Resolves once the screen's last line passes `test`; rejects after `ms` without it. */
  const lastLine = (test: (line: string) => boolean, ms: number) =>
    waits.until(
      () => (test(last()) ? last() : undefined),
      () => `the line never changed as awaited; it says: ${JSON.stringify(last())}`,
      ms,
    );
  return { stream, lastLine, screen: () => screenLines(output) };
}

/** The notification server as OpenNotices sees it: each shown notice recorded, and told to whoever waits. */
function recordingNotifications() {
  const shown: Notice[] = [];
  const waits = new EventWaits();
  const notifications = {
    show: (notice: Notice) => {
      shown.push(notice);
      waits.wake();
      return Promise.resolve(7);
    },
    close: () => Promise.resolve(),
    onAction: () => Promise.resolve(),
  } as unknown as Notifications;
  const shownCount = (count: number, ms: number) =>
    waits.until(
      () => (shown.length >= count ? shown.slice() : undefined),
      () => `${shown.length} notice(s) shown, not ${count}: ${JSON.stringify(shown.map((n) => n.body))}`,
      ms,
    );
  return { notifications, shownCount };
}

describe('a wait with a sense of time (defect 13)', () => {
  it('the status line counts the seconds on its own while the boot is quiet', async () => {
    const terminal = recordingTerminal(100);
    const status = new StatusLine(terminal.stream, true);
    try {
      status.step('report.pdf', 'booting');
      const line = await terminal.lastLine((l) => /^report\.pdf: booting a throwaway VM… [1-9]\d* s$/.test(l), 5000);
      assert.match(line, /booting a throwaway VM… \d+ s/);
    } finally {
      status.end();
    }
  });

  it('a long name is shortened to fit, never the state', () => {
    const terminal = recordingTerminal(50);
    const status = new StatusLine(terminal.stream, true);
    try {
      status.step(`${'Quarterly report of the regional office '.repeat(3)}final.pdf`, 'booting');
      const line = terminal.screen().at(-1) ?? '';
      assert.ok(line.length < 50, `wider than the terminal: ${line}`);
      assert.match(line, /^Quarterly.*….*final\.pdf: booting a throwaway VM… \d+ s$/);
    } finally {
      status.end();
    }
  });

  it('the desktop notification is updated in place through a quiet boot, with the seconds so far', async function () {
    this.timeout(30_000);
    const { notifications, shownCount } = recordingNotifications();
    const notices = new OpenNotices(notifications);
    notices.begin({ id: 'one', files: ['/home/u/report.pdf'], step: 'booting', stop: () => Promise.resolve() });
    try {
      // No step comes: the VM is booting quietly, as under TCG for 10-45 s.
      const [first, second] = await shownCount(2, 15_000);
      assert.equal(second?.replacesId, 7, 'updated in place, not a second notification');
      assert.match(first?.body ?? '', /^Starting a throwaway VM… \d+ s/);
      assert.match(second?.body ?? '', /^Starting a throwaway VM… [1-9]\d* s/);
    } finally {
      await notices.ended('one');
    }
  });
});
