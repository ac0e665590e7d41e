import assert from 'node:assert/strict';
import { demoViewerArgs } from '../../../src/demo/run-demo.js';

describe('make demo: its viewer', () => {
  const env = { HOME: '/home/u', XDG_DATA_DIRS: '/usr/local/share:/usr/share' };

  it("names mupdf where it is installed (system-wide or the user's own), so LibreOffice Draw does not take the sample", () => {
    assert.deepEqual(
      demoViewerArgs(env, (file) => file === '/usr/share/applications/mupdf.desktop'),
      ['--with', 'mupdf.desktop'],
    );
    assert.deepEqual(
      demoViewerArgs(env, (file) => file === '/home/u/.local/share/applications/mupdf.desktop'),
      ['--with', 'mupdf.desktop'],
    );
  });

  it("leaves the choice to the user's default where mupdf is not installed", () => {
    assert.deepEqual(
      demoViewerArgs(env, () => false),
      [],
    );
  });
});
