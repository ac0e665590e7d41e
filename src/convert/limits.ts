// What a conversion may cost the host, whatever the document or the guest says: pages, pixels per page,
// bytes in all, and how long the guest may stay silent. The host enforces them while it reads.

export interface PixelLimits {
  /** Pages in one document (Dangerzone's MAX_PAGES). */
  maxPages: number;
  /** Pixels along either side of a page: 10000 px is 66 inches at 150 dpi (Dangerzone's limit too). */
  maxSide: number;
  /** Raw RGB bytes over all pages: bounds the time and disk a guest can make the host spend. */
  maxTotalBytes: number;
}

export const PIXEL_LIMITS: PixelLimits = {
  maxPages: 10_000,
  maxSide: 10_000,
  // About 1360 letter pages at 150 dpi (6.3 MB each). The safe PDF's classic cross-reference table
  // addresses at most 10^10 bytes (ten digits per offset); Flate adds a little to incompressible pixels,
  // and the text layer is bounded by OCR_LIMITS, so 8 GiB of pixels keeps every offset inside it.
  maxTotalBytes: 8 * 1024 ** 3,
};

/** Pages are rendered at this resolution; the safe PDF's pages keep the original's size in points. */
export const RENDER_DPI = 150;

/** No byte from the guest for this long ends the conversion (LibreOffice's first start under TCG is slow). */
export const SILENCE_DEADLINE_MS = 10 * 60_000;

/** The guest's stderr kept for error messages and --verbose: its tail, cleaned of control characters. */
export const GUEST_LOG_TAIL_BYTES = 4096;

/**
 * A conversion's VM (the converter's, the OCR's) runs at most this long, however steadily it sends: a
 * guest cannot hold its VM, its admission slot and the disk for ever. Two hours is 3000 pages at the
 * measured 2.4 s a page under TCG. NOFEAR_TEST_JOB_DEADLINE_MS lowers it for the tests.
 */
export const JOB_DEADLINE_MS = 2 * 60 * 60_000;

export function jobDeadlineMs(env: NodeJS.ProcessEnv): number {
  const override = Number(env.NOFEAR_TEST_JOB_DEADLINE_MS);
  return Number.isInteger(override) && override > 0 ? override : JOB_DEADLINE_MS;
}

/**
 * The free space a conversion leaves on every disk it writes to (the output folder's, the cache's): 5 %
 * of the disk, at least 16 MiB and at most 1 GiB. A conversion stops (DiskFull) before it would go under.
 */
export function diskReserveBytes(diskBytes: number): number {
  return Math.min(1024 ** 3, Math.max(16 * 1024 ** 2, Math.round(diskBytes * 0.05)));
}

/** Free space is looked at again after this many bytes are written: the reserve is far larger. */
export const DISK_CHECK_EVERY_BYTES = 1024 ** 2;
