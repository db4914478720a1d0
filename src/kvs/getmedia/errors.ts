// Errors that only exist on the GetMedia streaming path: the ERROR_CODE/ERROR_ID tags KVS writes
// into the MKV stream when it stops a session, a subscriber that could not keep up, and an
// upstream that went silent. SDK exceptions (ResourceNotFound, …) are
// mapped by `errors.ts`; these complement them.
import { GET_MEDIA_ERROR_IDS } from "../../mkv/kvs-tags/error-ids.ts";
import { KvsError } from "../core/errors.ts";

/**
 * KVS stopped the GetMedia session and said why in the ERROR_CODE/ERROR_ID tags. `code` is the
 * ERROR_CODE tag (e.g. "FRAGMENT_NOT_FOUND"), or "ERROR_ID_<id>" when KVS sent only the id.
 */
export class GetMediaStreamError extends KvsError {
  override readonly name = "GetMediaStreamError";
  readonly code: string;
  /** ERROR_ID as a number; null when the tag was missing or not an integer. */
  readonly errorId: number | null;
  /** The documented meaning of `errorId`, or null for an id the documentation does not list. */
  readonly meaning: string | null;
  /** 3002 and 5000 are transient on KVS's side; the session reconnects instead of ending. */
  readonly retryable: boolean;

  readonly errorCode: string | null;
  /** The FRAGMENT_NUMBER tag of the error document, when KVS named the fragment. */
  readonly fragmentNumber: string | null;

  constructor(errorIdTag: string | null, errorCode: string | null, fragmentNumber: string | null) {
    const trimmed = errorIdTag?.trim() ?? "";
    const errorId = /^\d{1,9}$/.test(trimmed) ? Number(trimmed) : null;
    const known = errorId === null ? undefined : GET_MEDIA_ERROR_IDS[errorId];
    const meaning = known?.meaning ?? null;
    super(
      `GetMedia stopped with ERROR_ID ${errorIdTag ?? "(none)"}` +
        `${meaning ? ` (${meaning})` : ""}${errorCode ? `: ${errorCode}` : ""}`,
    );
    this.errorCode = errorCode;
    this.fragmentNumber = fragmentNumber;
    this.code = errorCode || `ERROR_ID_${errorId ?? "UNKNOWN"}`;
    this.errorId = errorId;
    this.meaning = meaning;
    // An undocumented id is treated as transient: reconnecting is cheap and bounded by backoff.
    this.retryable = known?.retryable ?? true;
  }
}

/** A subscriber's bounded buffer overflowed: it was dropped so it could not stall the others. */
export class SlowSubscriberError extends Error {
  override readonly name = "SlowSubscriberError";
  readonly bufferSize: number;
  /** Token of the last fragment the subscriber was sent; resubscribe with it to continue. */
  readonly continuationToken: string | null;

  constructor(bufferSize: number, continuationToken: string | null) {
    super(
      `Subscriber dropped: it fell ${bufferSize} events behind the live stream.` +
        (continuationToken
          ? ` Resubscribe with start CONTINUATION_TOKEN ${continuationToken} to continue.`
          : ""),
    );
    this.bufferSize = bufferSize;
    this.continuationToken = continuationToken;
  }
}

/**
 * The process serving the subscription is stopping (SIGTERM): the subscription ends with this as
 * its last event, after every fragment already sent. It carries the last continuation token
 * delivered, so the client resumes exactly there on another instance (or this one, restarted).
 */
export class ShuttingDownError extends Error {
  override readonly name = "ShuttingDownError";
  /** Token of the last fragment the subscriber was sent; null if it was sent none. */
  readonly continuationToken: string | null;

  constructor(continuationToken: string | null) {
    super(
      "The gateway is shutting down." +
        (continuationToken
          ? ` Resubscribe with start CONTINUATION_TOKEN ${continuationToken} to continue.`
          : " Subscribe again to continue."),
    );
    this.continuationToken = continuationToken;
  }
}

/** The upstream sent no byte for too long; the session reconnects (never surfaced on its own). */
export class GetMediaStalledError extends Error {
  override readonly name = "GetMediaStalledError";
  readonly idleMs: number;

  constructor(idleMs: number) {
    super(`GetMedia sent nothing for ${idleMs} ms`);
    this.idleMs = idleMs;
  }
}
