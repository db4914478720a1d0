// Decides, for anything that ended a GetMedia attempt, whether the session retries and how, and how
// long it waits first.
import {
  ClientLimitExceededError,
  ConnectionLimitExceededError,
  InvalidEndpointError,
  KvsError,
  toKvsError,
} from "../core/errors.ts";
import { GetMediaStreamError } from "./errors.ts";

export type FailureKind =
  /** The stream, the caller or the request is wrong: retrying cannot help. */
  | "terminal"
  /** KVS throttled us: retry, slower. */
  | "throttled"
  /** KVS said we used the wrong endpoint: resolve it again, then retry. */
  | "endpoint"
  /** Network, 5xx, a cut connection, a stall, corrupt bytes: retry. */
  | "transient";

export interface ClassifiedFailure {
  kind: FailureKind;
  /** The failure as a typed error (a KvsError for anything KVS answered). */
  error: Error;
}

export function classifyFailure(failure: unknown): ClassifiedFailure {
  if (failure instanceof GetMediaStreamError) {
    return { kind: failure.retryable ? "transient" : "terminal", error: failure };
  }
  const mapped = toKvsError(failure);
  if (mapped instanceof KvsError) {
    if (mapped instanceof InvalidEndpointError) return { kind: "endpoint", error: mapped };
    if (
      mapped instanceof ClientLimitExceededError ||
      mapped instanceof ConnectionLimitExceededError
    ) {
      return { kind: "throttled", error: mapped };
    }
    return { kind: mapped.retryable ? "transient" : "terminal", error: mapped };
  }
  const error = mapped instanceof Error ? mapped : new Error(String(mapped));
  // An HTTP answer outside the service model (e.g. a proxy's 403): retrying will not change it.
  const status = httpStatusOf(error);
  if (status === 429) return { kind: "throttled", error };
  if (status !== undefined && status >= 400 && status < 500) return { kind: "terminal", error };
  // Aborted reads, premature closes, stalls and corrupt bytes: reopen from the last token.
  return { kind: "transient", error };
}

function httpStatusOf(error: Error): number | undefined {
  const metadata: unknown = Reflect.get(error, "$metadata");
  if (typeof metadata !== "object" || metadata === null) return undefined;
  const status: unknown = Reflect.get(metadata, "httpStatusCode");
  return typeof status === "number" ? status : undefined;
}

// Reconnect delays: exponential with "equal jitter" (half fixed, half random), so delays always grow
// with the attempt count yet sessions that failed together spread out.
export interface BackoffPolicy {
  /** Delay before the first retry after a failure. */
  baseMs: number;
  /** Upper bound for any single delay. */
  maxMs: number;
  /** Base delay when KVS throttled us (ClientLimitExceeded / ConnectionLimitExceeded). */
  throttledBaseMs: number;
  /** Delay before reopening after the upstream ended cleanly with no fragment (an idle stream). */
  idleBaseMs: number;
  idleMaxMs: number;
}

export const GET_MEDIA_BACKOFF: BackoffPolicy = {
  baseMs: 250,
  maxMs: 20_000,
  throttledBaseMs: 1000,
  idleBaseMs: 500,
  idleMaxMs: 3000,
};

/** Delay before attempt `attempt` (1 = first retry) starting from `baseMs`, capped at `maxMs`. */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
