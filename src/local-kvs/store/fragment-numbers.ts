// Fragment numbers: 47 decimal digits like real KVS ("91343852333181432392682062…"),
// strictly increasing across the whole server and across restarts. The counter part follows
// the wall clock (µs) so a restart that lost the last number still moves forward.

const PREFIX = 91343852333181432392682n * 10n ** 24n;
const COUNTER_LIMIT = 10n ** 24n;

export class FragmentNumberAllocator {
  #last: bigint;

  /** `lastIssued`: the greatest fragment number issued before (e.g. read back from disk). */
  constructor(lastIssued?: string) {
    this.#last = lastIssued ? BigInt(lastIssued) - PREFIX : 0n;
  }

  next(nowMs: number): string {
    const fromClock = BigInt(Math.floor(nowMs)) * 1000n;
    const counter = fromClock > this.#last ? fromClock : this.#last + 1n;
    if (counter >= COUNTER_LIMIT) throw new RangeError("fragment number space exhausted");
    this.#last = counter;
    return (PREFIX + counter).toString();
  }

  /** Moves past a number seen elsewhere (e.g. in a log replayed on start). */
  observe(fragmentNumber: string): void {
    const counter = BigInt(fragmentNumber) - PREFIX;
    if (counter > this.#last) this.#last = counter;
  }

  get last(): string {
    return (PREFIX + this.#last).toString();
  }
}
