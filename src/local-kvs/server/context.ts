// What an operation handler receives. One handler module per operation, registered in
// ../operations/index.ts; the server maps `POST /<lowerCamelOperation>` to it.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { PlaybackSessions } from "../archived-media/streaming/playback-sessions.ts";
import type { Clock } from "../clock.ts";
import type { Fault, FaultInjector } from "../faults.ts";
import type { MemoryBudget } from "../ingest/memory-budget.ts";
import type { OperationStats } from "../stats.ts";
import type { FragmentStore } from "../store/types.ts";
import type { RequestInput } from "../validation.ts";
import type { ConnectionTracker } from "./connection-tracker.ts";
import type { RateLimiter } from "./rate-limiter.ts";

export interface LocalKvsConfig {
  region: string;
  accountId: string;
  /** This server's base URL (what GetDataEndpoint returns). */
  endpoint: string;
  /** Concurrent GetMedia connections per stream before ConnectionLimitExceededException. */
  getMediaConnectionLimit: number;
  /** GetClip calls per second per stream before ClientLimitExceededException (0 = unlimited). */
  getClipRatePerSecond: number;
  /** GetImages calls per second per stream before ClientLimitExceededException (0 = unlimited). */
  getImagesRatePerSecond: number;
  /** GetMedia calls per second per stream before ClientLimitExceededException (0 = unlimited). */
  getMediaRatePerSecond: number;
  /** A GetMedia response ends at the next fragment boundary after this long (0 = never). */
  getMediaSessionMaxSeconds: number;
  /** Time between IDLE acks on a PutMedia connection that sends nothing (0 = none). */
  putMediaIdleAckSeconds: number;
  /** A PutMedia connection that sends nothing for this long is closed (0 = never). */
  putMediaIdleTimeoutSeconds: number;
  /** Concurrent PutMedia connections per stream before ConnectionLimitExceededException. */
  putMediaConnectionLimit: number;
  /** Bytes per second a PutMedia body must average over each window (0 = no floor). */
  putMediaMinBytesPerSecond: number;
  /** The window of that floor. */
  putMediaMinRateWindowSeconds: number;
  /** The order of ListFragments results (KVS documents none). */
  listFragmentsOrder: ListFragmentsOrder;
  /** GetHLS/GetDASHStreamingSessionURL calls per second per stream (0 = unlimited). */
  playbackSessionRatePerSecond: number;
  /** Playlist/manifest requests per second per playback session (0 = unlimited). */
  playbackPlaylistRatePerSecond: number;
  /** Init/media fragment requests per second per playback session (0 = unlimited). */
  playbackFragmentRatePerSecond: number;
}

/**
 * "sorted": by the selector's timestamp, then fragment number (fragment number without a
 * selector). "shuffled": in a random order within and across pages, as KVS may answer.
 */
export type ListFragmentsOrder = "sorted" | "shuffled";

/** A streaming response body (GetMedia, GetClip, …) that honours backpressure and faults. */
export interface MediaSink {
  /** Resolves once the chunk is handed to the socket and it can take more; false when closed. */
  write(chunk: Uint8Array): Promise<boolean>;
  end(): Promise<void>;
  /** True once the client went away, the server stopped or a drop fault fired. */
  readonly closed: boolean;
  /** Bytes written so far. */
  readonly bytesWritten: number;
}

export interface HandlerContext {
  /** The operation name as in the API ("GetMedia"). */
  readonly operation: string;
  readonly requestId: string;
  /** The parsed JSON body (empty for operations with a streaming request body). */
  readonly input: RequestInput;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly store: FragmentStore;
  readonly stats: OperationStats;
  readonly faults: FaultInjector;
  /** A "drop-after-bytes" fault taken for this request, applied by `startStream`. */
  readonly fault: Fault | undefined;
  readonly clock: Clock;
  readonly config: LocalKvsConfig;
  /** Per-stream connection counts (GetMedia and PutMedia connection limits). */
  readonly connections: ConnectionTracker;
  /** The media bytes all PutMedia connections may hold at once. */
  readonly putMediaBudget: MemoryBudget;
  /** Per-stream, per-operation call rates (ClientLimitExceededException). */
  readonly rates: RateLimiter;
  /** HLS and DASH sessions by token. */
  readonly playbackSessions: PlaybackSessions;
  /** Aborted when the client disconnects or the server stops. */
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
  /** Replies 200 with a JSON body. */
  replyJson(value: unknown, status?: number): void;
  /** Sends 200 with `contentType` and returns the body sink (chunked transfer). */
  startStream(contentType: string, headers?: Record<string, string>): MediaSink;
}

export interface OperationHandler {
  /** The API operation name ("GetMedia"); the path is `/getMedia`. */
  readonly operation: string;
  /** True when the request body is media (PutMedia), not JSON. */
  readonly streamingRequest?: boolean;
  handle(ctx: HandlerContext): Promise<void>;
}

/** "GetMedia" → "/getMedia". */
export function pathForOperation(operation: string): string {
  return `/${operation.charAt(0).toLowerCase()}${operation.slice(1)}`;
}
