// Test-only failure injection per operation, consumed one per request, so clients' retry and
// resume paths meet real HTTP failures.

export type Fault =
  | {
      kind: "exception";
      /** e.g. "ClientLimitExceededException"; the status defaults to the model's. */
      exception: string;
      status?: number;
      message?: string;
      times?: number;
    }
  | { kind: "status"; status: number; times?: number }
  | {
      /** GetMedia/GetClip/GetMediaForFragmentList: destroy the socket after N body bytes. */
      kind: "drop-after-bytes";
      bytes: number;
      times?: number;
    }
  | {
      /** Any operation: handled `ms` later (added latency; a client gone meanwhile ends it). */
      kind: "delay";
      ms: number;
      times?: number;
    }
  | {
      /**
       * GetMedia/GetClip/GetMediaForFragmentList: after N body bytes the response stalls (sends
       * nothing) for `ms`, then goes on: a reader's stall timeout should give up on it.
       */
      kind: "stall-after-bytes";
      bytes: number;
      ms: number;
      times?: number;
    }
  | {
      /**
       * GetMedia: after `afterFragments` fragments (default 0), end the response with the
       * AWS_KINESISVIDEO_ERROR_CODE / _ERROR_ID tags of `errorId` (e.g. 4000, 5000).
       */
      kind: "media-error";
      errorId: number;
      afterFragments?: number;
      times?: number;
    };

interface PendingFault {
  fault: Fault;
  remaining: number;
}

export class FaultInjector {
  readonly #pending = new Map<string, PendingFault[]>();

  /** Queues `fault` for the next `times` (default 1) requests of `operation`. */
  inject(operation: string, fault: Fault): void {
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1)
      throw new RangeError("times must be a positive integer");
    const queue = this.#pending.get(operation) ?? [];
    queue.push({ fault, remaining: times });
    this.#pending.set(operation, queue);
  }

  /** Takes the fault for one request of `operation`, if any is queued. */
  take(operation: string): Fault | undefined {
    const queue = this.#pending.get(operation);
    const head = queue?.[0];
    if (!queue || !head) return undefined;
    head.remaining--;
    if (head.remaining === 0) queue.shift();
    if (queue.length === 0) this.#pending.delete(operation);
    return head.fault;
  }

  clear(): void {
    this.#pending.clear();
  }
}
