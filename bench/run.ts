// make bench: every benchmark in bench/, each printing its figures and adding them to results.json/md.
// PDFs open in mupdf (the native baseline's viewer) although LibreOffice Draw also claims them.
import '../test/helpers/desktop-defaults.cjs';
import { benchBoot } from './boot.js';
import { benchConvert } from './convert.js';
import { benchGui } from './gui.js';
import { benchMark } from './mark.js';
import { benchOpen } from './open.js';
import { benchOffice } from './office.js';
import { benchService } from './service.js';

const only = process.argv[2];
const benches: Record<string, () => Promise<void>> = { boot: benchBoot, gui: benchGui, open: benchOpen, office: benchOffice, service: benchService, mark: benchMark, convert: benchConvert };
for (const [name, bench] of Object.entries(benches)) {
  if (only !== undefined && only !== name) continue;
  await bench();
}
