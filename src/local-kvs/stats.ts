/** Counts requests per operation name ("GetMedia", "GetClip", …), failed ones included. */
export class OperationStats {
  readonly #counts = new Map<string, number>();
  readonly #open = new Map<string, number>();
  readonly #abandoned = new Map<string, number>();

  /**
   * Marks a request of `operation` as in progress; call the returned function when its response
   * closes, saying whether the client went away before the response finished.
   */
  opened(operation: string): (abandonedByClient: boolean) => void {
    this.#open.set(operation, (this.#open.get(operation) ?? 0) + 1);
    let closed = false;
    return (abandonedByClient) => {
      if (closed) return;
      closed = true;
      this.#open.set(operation, (this.#open.get(operation) ?? 1) - 1);
      if (abandonedByClient)
        this.#abandoned.set(operation, (this.#abandoned.get(operation) ?? 0) + 1);
    };
  }

  /** Requests of `operation` whose responses are still open (e.g. a GetClip body being sent). */
  inProgress(operation: string): number {
    return this.#open.get(operation) ?? 0;
  }

  /** Requests of `operation` whose client closed the connection before the response finished. */
  abandoned(operation: string): number {
    return this.#abandoned.get(operation) ?? 0;
  }

  record(operation: string): void {
    this.#counts.set(operation, (this.#counts.get(operation) ?? 0) + 1);
  }

  count(operation: string): number {
    return this.#counts.get(operation) ?? 0;
  }

  /** Every operation with at least one request, for logs and debugging. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }

  reset(): void {
    this.#counts.clear();
    this.#abandoned.clear();
  }
}
