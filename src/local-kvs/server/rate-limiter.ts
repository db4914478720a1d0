// Per-key call rates over a sliding one-second window, so clients meet KVS's documented
// throttling (e.g. GetClip about 1 TPS per stream) locally as they will in AWS.

const WINDOW_MS = 1000;

export class RateLimiter {
  /** Call times per key within the last window. */
  readonly #calls = new Map<string, number[]>();

  /**
   * Records a call for `key` at `nowMs` and answers whether it is within `perSecond`.
   * A rejected call is not recorded. `perSecond` ≤ 0 or not finite means unlimited.
   */
  tryAcquire(key: string, perSecond: number, nowMs: number): boolean {
    if (!(perSecond > 0) || !Number.isFinite(perSecond)) return true;
    const recent = (this.#calls.get(key) ?? []).filter((t) => nowMs - t < WINDOW_MS);
    if (recent.length >= perSecond) {
      this.#calls.set(key, recent);
      return false;
    }
    recent.push(nowMs);
    this.#calls.set(key, recent);
    return true;
  }

  clear(): void {
    this.#calls.clear();
  }
}
