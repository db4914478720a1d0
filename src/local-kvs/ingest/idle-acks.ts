// A quiet PutMedia connection: KVS sends IDLE acks periodically while no data arrives and closes
// the request once nothing came for 30 seconds (PutMedia API reference, "Idle"). The interval of
// the IDLE acks is not documented.

/** The body sent nothing for the whole idle timeout. */
export const IDLE_TIMEOUT = Symbol("PutMedia idle timeout");

export interface IdleAckOptions {
  /** Time between IDLE acks while no data arrives (0 = none). */
  ackIntervalMs: number;
  /** Quiet time after which the connection is given up (0 = never). */
  timeoutMs: number;
  sendIdle(): void;
}

/** Waits for the body's next chunk, acking IDLE meanwhile; IDLE_TIMEOUT once quiet too long. */
export function awaitWithIdleAcks<T>(
  next: Promise<T>,
  options: IdleAckOptions,
): Promise<T | typeof IDLE_TIMEOUT> {
  const { ackIntervalMs, timeoutMs, sendIdle } = options;
  if (ackIntervalMs <= 0 && timeoutMs <= 0) return next;
  return new Promise((resolve, reject) => {
    const acks = ackIntervalMs > 0 ? setInterval(sendIdle, ackIntervalMs) : undefined;
    const timeout =
      timeoutMs > 0 ? setTimeout(() => settle(() => resolve(IDLE_TIMEOUT)), timeoutMs) : undefined;
    function settle(done: () => void): void {
      clearInterval(acks);
      clearTimeout(timeout);
      done();
    }
    next.then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error)),
    );
  });
}
