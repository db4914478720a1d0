// Decides, for anything that ended a GetMedia attempt, whether the session retries and how.
import {
  ClientLimitExceededError,
  ConnectionLimitExceededError,
  InvalidEndpointError,
  KvsError,
  toKvsError,
} from "./errors.ts";
import { GetMediaStreamError } from "./getmedia-errors.ts";

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
