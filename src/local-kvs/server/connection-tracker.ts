// Open long-lived connections per key (e.g. GetMedia per stream), for connection limits.

export class ConnectionTracker {
  readonly #open = new Map<string, number>();

  count(key: string): number {
    return this.#open.get(key) ?? 0;
  }

  /** Opens one connection for `key` if fewer than `limit` are open; returns its release. */
  tryOpen(key: string, limit: number): (() => void) | undefined {
    const open = this.count(key);
    if (Number.isFinite(limit) && open >= limit) return undefined;
    this.#open.set(key, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.count(key) - 1;
      if (left <= 0) this.#open.delete(key);
      else this.#open.set(key, left);
    };
  }
}
