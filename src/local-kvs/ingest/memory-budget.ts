// One budget for the media bytes that all PutMedia connections hold at once (the header or Cluster
// each is collecting, and a finished Cluster until it is stored). A Cluster may be 50 MB, so
// without a total, N producers could make kvs-local hold N × 50 MB.

/** Node reads sockets in chunks of up to 64 KiB. */
const MIN_FREE_BYTES = 64 * 1024;

/** What a budget's holders may read of it. */
export interface BudgetUsage {
  readonly limitBytes: number;
  /** Bytes reserved now. */
  readonly inUseBytes: number;
  /** The most ever reserved at once. */
  readonly peakBytes: number;
}

export class MemoryBudget implements BudgetUsage {
  readonly limitBytes: number;
  #inUse = 0;
  #peak = 0;

  /** `limitBytes` Infinity = unbounded (still counted). */
  constructor(limitBytes: number) {
    if (!(limitBytes > 0)) throw new RangeError("the PutMedia memory budget must be positive");
    this.limitBytes = limitBytes;
  }

  /** Bytes reserved now. */
  get inUseBytes(): number {
    return this.#inUse;
  }

  /** The most ever reserved at once. */
  get peakBytes(): number {
    return this.#peak;
  }

  /** True while less than one socket read (64 KiB) is free: a new connection could hold nothing. */
  get exhausted(): boolean {
    return this.limitBytes - this.#inUse < MIN_FREE_BYTES;
  }

  /** Reserves `bytes` if they fit; false (nothing reserved) if they do not. */
  tryReserve(bytes: number): boolean {
    if (bytes <= 0) return true;
    if (this.#inUse + bytes > this.limitBytes) return false;
    this.#inUse += bytes;
    if (this.#inUse > this.#peak) this.#peak = this.#inUse;
    return true;
  }

  release(bytes: number): void {
    this.#inUse = Math.max(0, this.#inUse - bytes);
  }

  /** A connection's share, grown and shrunk as its held bytes change. */
  open(): BudgetShare {
    return new BudgetShare(this);
  }
}

/** What one PutMedia connection holds of the budget. */
export class BudgetShare {
  readonly #budget: MemoryBudget;
  #held = 0;

  constructor(budget: MemoryBudget) {
    this.#budget = budget;
  }

  get heldBytes(): number {
    return this.#held;
  }

  /** Sets the share to `bytes`; false (share unchanged) when growing does not fit. */
  resize(bytes: number): boolean {
    if (bytes > this.#held) {
      if (!this.#budget.tryReserve(bytes - this.#held)) return false;
    } else {
      this.#budget.release(this.#held - bytes);
    }
    this.#held = bytes;
    return true;
  }

  close(): void {
    this.resize(0);
  }
}
