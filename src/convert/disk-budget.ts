// The disk a conversion writes to (the safe PDF's folder, the OCR's pages in the cache) keeps a reserve
// free: free space is looked at before the first byte and again every DISK_CHECK_EVERY_BYTES written,
// and the conversion stops with DiskFull before it would take the disk under the reserve. The decision
// is a pure function; statfs is the thin adapter.
import { statfsSync } from 'node:fs';
import { ConversionError } from './errors.js';
import { DISK_CHECK_EVERY_BYTES, diskReserveBytes } from './limits.js';

export interface DiskSpace {
  /** Bytes an unprivileged writer may still use. */
  freeBytes: number;
  /** The filesystem's size. */
  totalBytes: number;
}

export function diskSpaceOf(dir: string): DiskSpace {
  const stat = statfsSync(dir);
  return { freeBytes: stat.bavail * stat.bsize, totalBytes: stat.blocks * stat.bsize };
}

const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;

/** Undefined while `needBytes` more still leave the reserve free; else why not. */
export function diskShortage(space: DiskSpace, needBytes = 0): string | undefined {
  const reserve = diskReserveBytes(space.totalBytes);
  if (space.freeBytes - needBytes >= reserve) return undefined;
  return `${mib(space.freeBytes)} free${needBytes > 0 ? ` for ${mib(needBytes)} more` : ''}, and NoFear keeps ${mib(reserve)} free (5 % of the disk, 16 MiB to 1 GiB)`;
}

export class DiskBudget {
  private sinceCheck = 0;

  constructor(
    private readonly dirs: readonly string[],
    private readonly what: string,
    private readonly spaceOf: (dir: string) => DiskSpace = diskSpaceOf,
  ) {}

  /** Throws DiskFull when a disk would have less than the reserve left after `needBytes` more (to `dir` only, when named). */
  check(needBytes = 0, dir?: string): void {
    for (const each of this.dirs) {
      const shortage = diskShortage(this.spaceOf(each), dir === undefined || each === dir ? needBytes : 0);
      if (shortage !== undefined) {
        throw new ConversionError(
          'DiskFull',
          `${this.what} stopped: the disk of ${each} has ${shortage}; nothing was written`,
          'free some space there, or convert into another folder with --output DIR',
        );
      }
    }
    if (dir !== undefined && !this.dirs.includes(dir)) {
      const shortage = diskShortage(this.spaceOf(dir), needBytes);
      if (shortage !== undefined) throw new ConversionError('DiskFull', `${this.what} stopped: the disk of ${dir} has ${shortage}; nothing was written`, 'free some space there');
    }
  }

  /**
   * Counts bytes written; looks at the disks again every DISK_CHECK_EVERY_BYTES, counting what may be
   * written before the next look (twice the interval: a chunk may carry it past), so the reserve is never entered.
   */
  wrote(bytes: number): void {
    this.sinceCheck += bytes;
    if (this.sinceCheck < DISK_CHECK_EVERY_BYTES) return;
    this.sinceCheck = 0;
    this.check(2 * DISK_CHECK_EVERY_BYTES);
  }
}
