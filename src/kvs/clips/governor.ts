import { ClientLimitExceededError } from "../core/errors.ts";
import { Pacer } from "../core/pacer.ts";

/**
 * Per-stream pacing of GetClip calls. KVS allows about one GetClip per second per stream and answers
 * ClientLimitExceeded beyond it; the governor spaces the calls of each stream to a configured rate
 * (through the upstream layer's one Pacer) and holds the rest in a bounded FIFO queue, so viewers of many clips of one stream wait their turn
 * instead of being thrown at KVS. Past the queue bound a call fails at once with ClientLimitExceeded,
 * as KVS would. A ClientLimitExceeded that still comes back from KVS (another gateway instance, the
 * account-wide limit) puts the call back at the head of its stream's queue and retries it later.
 *
 * Only the start of a call is paced: `call` should resolve once the response has begun (GetClip's
 * send() resolves with the body still streaming), since the KVS limit counts requests, not
 * downloads.
 */

export interface ClipGovernorOptions {
  /** GetClip calls per second per stream (default 1, the KVS limit). */
  ratePerSecond?: number;
  /**
   * Added to the spacing (default 0). A little slack keeps network jitter from putting two calls
   * inside one of KVS's one-second windows, which would cost a throttled call and a retry.
   */
  marginMs?: number;
  /** Calls that may wait per stream beyond the one being started (default 50). */
  maxQueuePerStream?: number;
  /** How often a call that KVS throttled is retried before its error is returned (default 3). */
  throttleRetries?: number;
  /** Extra wait before a throttled call's first retry, doubled on each further one (default one interval). */
  throttleRetryDelayMs?: number;
  /** Recognises KVS's throttling answer (default: an error named ClientLimitExceededException). */
  isThrottled?: (error: unknown) => boolean;
  /** The error a call gets when its stream's queue is full. */
  queueFullError?: (stream: string, queued: number) => Error;
}

interface Waiter {
  grant: () => void;
  reject: (reason: unknown) => void;
  detach: () => void;
}

interface Lane {
  readonly queue: Waiter[];
  timer: NodeJS.Timeout | undefined;
}

export class ClipGovernor {
  readonly #intervalMs: number;
  readonly #maxQueue: number;
  readonly #throttleRetries: number;
  readonly #throttleRetryDelayMs: number;
  readonly #isThrottled: (error: unknown) => boolean;
  readonly #queueFullError: (stream: string, queued: number) => Error;
  readonly #lanes = new Map<string, Lane>();
  /** When each stream's next call may start. */
  readonly #pacer: Pacer;

  constructor(options: ClipGovernorOptions = {}) {
    const rate = options.ratePerSecond ?? 1;
    if (!(rate > 0) || !Number.isFinite(rate))
      throw new RangeError("ratePerSecond must be positive");
    this.#intervalMs = 1000 / rate + Math.max(0, options.marginMs ?? 0);
    this.#pacer = new Pacer({ calls: 1, windowMs: this.#intervalMs });
    this.#maxQueue = options.maxQueuePerStream ?? 50;
    this.#throttleRetries = options.throttleRetries ?? 3;
    this.#throttleRetryDelayMs = options.throttleRetryDelayMs ?? this.#intervalMs;
    this.#isThrottled = options.isThrottled ?? isClientLimitExceeded;
    this.#queueFullError =
      options.queueFullError ??
      ((stream, queued) =>
        new ClientLimitExceededError(
          `${queued} GetClip calls are already waiting for stream ${stream}; try again later`,
        ));
  }

  /** Streams the governor currently tracks (idle ones are forgotten once their interval passes). */
  get trackedStreams(): number {
    return this.#lanes.size;
  }

  /** Calls waiting (not yet started) for a stream. */
  queued(stream: string): number {
    return this.#lanes.get(stream)?.queue.length ?? 0;
  }

  /**
   * Runs `call` when the stream's turn comes. Rejects with the queue-full error at once when the
   * queue is full, with `signal.reason` when aborted while waiting, and with the call's own error
   * once throttling retries are used up.
   */
  async run<T>(stream: string, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      await this.#acquire(stream, attempt > 0, signal);
      try {
        return await call();
      } catch (error) {
        if (attempt >= this.#throttleRetries || !this.#isThrottled(error)) throw error;
        this.#pushBack(stream, this.#throttleRetryDelayMs * 2 ** attempt);
      }
    }
  }

  #lane(stream: string): Lane {
    let lane = this.#lanes.get(stream);
    if (lane === undefined) {
      lane = { queue: [], timer: undefined };
      this.#lanes.set(stream, lane);
    }
    return lane;
  }

  #acquire(stream: string, isRetry: boolean, signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    const lane = this.#lane(stream);
    if (lane.queue.length === 0 && this.#pacer.wait(stream) === 0) {
      this.#take(stream, lane);
      return Promise.resolve();
    }
    // A retry already held a place in the queue: it goes back to the head, beyond the bound.
    if (!isRetry && lane.queue.length >= this.#maxQueue) {
      return Promise.reject(this.#queueFullError(stream, lane.queue.length));
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const index = lane.queue.indexOf(waiter);
        if (index >= 0) lane.queue.splice(index, 1);
        reject(signal?.reason);
        this.#schedule(stream, lane);
      };
      const waiter: Waiter = {
        grant: resolve,
        reject,
        detach: () => signal?.removeEventListener("abort", onAbort),
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      if (isRetry) lane.queue.unshift(waiter);
      else lane.queue.push(waiter);
      this.#schedule(stream, lane);
    });
  }

  /** Claims the current slot (the pacer then books the next one an interval later). */
  #take(stream: string, lane: Lane): void {
    this.#pacer.reserve(stream);
    this.#schedule(stream, lane);
  }

  #pushBack(stream: string, delayMs: number): void {
    this.#pacer.holdOff(stream, delayMs);
    this.#schedule(stream, this.#lane(stream));
  }

  /** Arms one timer per stream: for the next waiter's slot, or to forget an idle stream. */
  #schedule(stream: string, lane: Lane): void {
    if (lane.timer !== undefined) clearTimeout(lane.timer);
    lane.timer = setTimeout(() => this.#onSlot(stream, lane), this.#pacer.wait(stream));
    // Waiting callers keep the process alive through their own promises; an idle lane must not.
    if (lane.queue.length === 0) lane.timer.unref();
  }

  #onSlot(stream: string, lane: Lane): void {
    lane.timer = undefined;
    if (this.#pacer.wait(stream) > 0) {
      this.#schedule(stream, lane);
      return;
    }
    const waiter = lane.queue.shift();
    if (waiter === undefined) {
      if (this.#lanes.get(stream) === lane) this.#lanes.delete(stream);
      return;
    }
    waiter.detach();
    this.#take(stream, lane);
    waiter.grant();
  }
}

/** KVS's throttling answer, raw from the SDK or mapped to ClientLimitExceededError. */
export function isClientLimitExceeded(error: unknown): boolean {
  return (
    error instanceof ClientLimitExceededError ||
    (error instanceof Error && error.name === "ClientLimitExceededException")
  );
}
