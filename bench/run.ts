// make bench: every benchmark in bench/, each printing its figures and adding them to results.json/md.
// PDFs open in mupdf (the native baseline's viewer) although LibreOffice Draw also claims them.
import '../test/helpers/desktop-defaults.cjs';
import { benchBoot } from './boot.js';
import { benchConvert } from './convert.js';
import { benchGui } from './gui.js';
import { benchMark } from './mark.js';
import { benchOffice } from './office.js';
import { benchService } from './service.js';
import { benchTargets } from './targets.js';
import { benchThumbnails } from './thumbnails.js';

// `make bench BENCH=targets` runs one; NOFEAR_BENCH_RUNS sets the run count of those that repeat.
const only = process.argv[2] || undefined;
// targets first: the figures, each against its baseline of the same run (open's figures are among them).
const benches: Record<string, () => Promise<void>> = {
  targets: benchTargets,
  boot: benchBoot,
  gui: benchGui,
  office: benchOffice,
  service: benchService,
  mark: benchMark,
  convert: benchConvert,
  thumbnails: benchThumbnails,
};
for (const [name, bench] of Object.entries(benches)) {
  if (only !== undefined && only !== name) continue;
  await bench();
}
