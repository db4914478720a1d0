// A floor under a PutMedia body's data rate. The idle timeout (30 s without a byte) alone lets a
// client hold a connection for ever with one byte every 29 s; a floor far below any real media
// (the lowest-rate audio codecs send some hundreds of bytes a second) ends that without touching
// a slow but steady producer. Measured over whole windows, so a pause shorter than the idle
// timeout inside a window does not count against a producer that otherwise sends media.

export interface MinimumRateOptions {
  /** Bytes per second a body must average over each window (0 = no floor). */
  bytesPerSecond: number;
  windowMs: number;
}

export class MinimumRate {
  readonly #options: MinimumRateOptions;
  #windowStartMs: number;
  #bytes = 0;

  constructor(options: MinimumRateOptions, nowMs: number) {
    this.#options = options;
    this.#windowStartMs = nowMs;
  }

  /** Counts a chunk; false once a whole window passed below the floor. */
  record(bytes: number, nowMs: number): boolean {
    const { bytesPerSecond, windowMs } = this.#options;
    if (!(bytesPerSecond > 0) || !(windowMs > 0)) return true;
    this.#bytes += bytes;
    const elapsedMs = nowMs - this.#windowStartMs;
    if (elapsedMs < windowMs) return true;
    if (this.#bytes < (bytesPerSecond * elapsedMs) / 1000) return false;
    this.#windowStartMs = nowMs;
    this.#bytes = 0;
    return true;
  }
}
