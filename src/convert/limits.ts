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
  // About 5000 letter pages at 150 dpi (6.3 MB each).
  maxTotalBytes: 32 * 1024 ** 3,
};

/** Pages are rendered at this resolution; the safe PDF's pages keep the original's size in points. */
export const RENDER_DPI = 150;

/** No byte from the guest for this long ends the conversion (LibreOffice's first start under TCG is slow). */
export const SILENCE_DEADLINE_MS = 10 * 60_000;

/** The guest's stderr kept for error messages and --verbose: its tail, cleaned of control characters. */
export const GUEST_LOG_TAIL_BYTES = 4096;
