// The desktop password prompt's choice: zenity, then kdialog, then the ssh-askpass family, each asked its
// own way with only the question in its argv; none installed: no command. The question names the files.
import assert from 'node:assert/strict';
import { promptCommand, promptText } from '../../../src/cli/desktop-password.js';

describe('promptCommand', () => {
  const installed = (names: string[]) => (name: string) => (names.includes(name) ? `/usr/bin/${name}` : undefined);
  it('prefers zenity, then kdialog, then an ssh-askpass, each with the question only', () => {
    assert.deepEqual(promptCommand(installed(['zenity', 'kdialog', 'ssh-askpass']), 'Q?'), { file: '/usr/bin/zenity', args: ['--password', '--title=NoFear: password', '--text=Q?'] });
    assert.deepEqual(promptCommand(installed(['kdialog', 'ssh-askpass']), 'Q?'), { file: '/usr/bin/kdialog', args: ['--title', 'NoFear: password', '--password', 'Q?'] });
    assert.deepEqual(promptCommand(installed(['ssh-askpass']), 'Q?'), { file: '/usr/bin/ssh-askpass', args: ['Q?'] });
  });
  it('is undefined when none is installed', () => {
    assert.equal(promptCommand(installed([]), 'Q?'), undefined);
  });
});

describe('promptText', () => {
  it('names one file, or three and how many more', () => {
    assert.match(promptText(['/d/a.pdf']), /^a\.pdf is protected by a password\. Type it to convert it/);
    assert.match(promptText(['/d/1.pdf', '/d/2.odt', '/d/3.pdf', '/d/4.pdf', '/d/5.pdf']), /^1\.pdf, 2\.odt, 3\.pdf and 2 more are protected/);
  });
});
