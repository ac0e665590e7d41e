// Test programs that stand in for an editor in --edit tests: desktop entries in a test's own
// XDG_DATA_HOME whose programs lie in the host's /usr (so the VM can run them). The editor writes EDITED
// into the staged copy, then shows a window titled "nofear-test-editor", so a test knows the write
// happened and decides when the program ends (it presses Return in the window); the looker only shows it.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const EDITED = 'edited in the VM: ünïcödé ✓\n';
export const EDITOR = 'nofear-test-editor.desktop';
export const LOOKER = 'nofear-test-looker.desktop';

export function installTestEditors(dataHome: string): void {
  const dir = path.join(dataHome, 'applications');
  mkdirSync(dir, { recursive: true });
  const window = 'exec xmessage -default okay -title nofear-test-editor done';
  // Key-file escapes (\\ for \), then Exec quoting (\" and \$ inside double quotes).
  writeFileSync(path.join(dir, EDITOR), `[Desktop Entry]\nType=Application\nName=NoFear test editor\nExec=sh -c "echo '${EDITED.trim()}' >\\\\"\\\\$1\\\\"; ${window}" sh %f\nMimeType=text/plain;\n`);
  writeFileSync(path.join(dir, LOOKER), `[Desktop Entry]\nType=Application\nName=NoFear test looker\nExec=sh -c "${window}" sh %f\nMimeType=text/plain;\n`);
}
