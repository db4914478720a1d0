// A quiet PutMedia connection: KVS sends IDLE acks periodically while no data arrives and closes
// the request once nothing came for 30 seconds (PutMedia API reference, "Idle"). The interval of
// the IDLE acks is not documented.
//
// Body chunks arrive thousands of times a second during an upload, so one timer per connection
// is re-armed (`refresh()`) at each wait rather than a new interval and timeout per chunk.

/** The body sent nothing for the whole idle timeout. */
export const IDLE_TIMEOUT = Symbol("PutMedia idle timeout");

export interface IdleAckOptions {
  /** Time between IDLE acks while no data arrives (0 = none). */
  ackIntervalMs: number;
  /** Quiet time after which the connection is given up (0 = never). */
  timeoutMs: number;
  sendIdle(): void;
}

/** One connection's idle watch: IDLE acks while a body read is pending, and the idle timeout. */
export class IdleWatch {
  readonly #options: IdleAckOptions;
  #timer: NodeJS.Timeout | undefined;
  #timerDelayMs = 0;
  /** The quiet time at which the armed timer fires. */
  #dueAtMs = 0;
  /** Ends the pending wait with IDLE_TIMEOUT; undefined while no read is pending. */
  #giveUp: (() => void) | undefined;
  /** Quiet time of the pending wait, counted in timer delays (as separate timers would). */
  #quietMs = 0;
  #nextAckAtMs = 0;

  constructor(options: IdleAckOptions) {
    this.#options = options;
  }

  /** Waits for the body's next chunk, acking IDLE meanwhile; IDLE_TIMEOUT once quiet too long. */
  wait<T>(next: Promise<T>): Promise<T | typeof IDLE_TIMEOUT> {
    const { ackIntervalMs, timeoutMs } = this.#options;
    if (ackIntervalMs <= 0 && timeoutMs <= 0) return next;
    return new Promise((resolve, reject) => {
      const giveUp = () => resolve(IDLE_TIMEOUT);
      this.#giveUp = giveUp;
      this.#quietMs = 0;
      this.#nextAckAtMs = ackIntervalMs > 0 ? ackIntervalMs : Number.POSITIVE_INFINITY;
      this.#armForNextEvent();
      // A stale timer left armed after this settles finds no wait and does nothing.
      const settle = () => {
        if (this.#giveUp === giveUp) this.#giveUp = undefined;
      };
      next.then(
        (value) => {
          settle();
          resolve(value);
        },
        (error: unknown) => {
          settle();
          reject(error);
        },
      );
    });
  }

  /** Stops the timer; call once the connection is done. */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#giveUp = undefined;
  }

  /** Arms the timer for the next IDLE ack or the timeout, whichever comes first. */
  #armForNextEvent(): void {
    const { timeoutMs } = this.#options;
    this.#dueAtMs = Math.min(
      this.#nextAckAtMs,
      timeoutMs > 0 ? timeoutMs : Number.POSITIVE_INFINITY,
    );
    const delayMs = this.#dueAtMs - this.#quietMs;
    if (this.#timer && delayMs === this.#timerDelayMs) {
      this.#timer.refresh();
      return;
    }
    // Only a delay other than the usual one (the rest up to a timeout the ack interval does not
    // divide) needs a new timer.
    clearTimeout(this.#timer);
    this.#timerDelayMs = delayMs;
    this.#timer = setTimeout(() => this.#tick(), delayMs);
  }

  #tick(): void {
    const giveUp = this.#giveUp;
    if (!giveUp) return;
    const { ackIntervalMs, timeoutMs, sendIdle } = this.#options;
    this.#quietMs = this.#dueAtMs;
    if (timeoutMs > 0 && this.#quietMs >= timeoutMs) {
      this.#giveUp = undefined;
      giveUp();
      return;
    }
    if (this.#quietMs >= this.#nextAckAtMs) {
      sendIdle();
      this.#nextAckAtMs += ackIntervalMs;
    }
    this.#armForNextEvent();
  }
}
