// What the KVS layer reports about itself, for whoever runs it (the gateway's metrics and logs).
// The KVS code knows nothing of Prometheus or pino: it calls these hooks, and a no-op observer
// is used when none is given.

/** One SDK call as the caller saw it: all of the SDK's own attempts together. */
export interface KvsCallReport {
  /** "KinesisVideo", "KinesisVideoArchivedMedia" or "KinesisVideoMedia". */
  readonly service: string;
  /** The API name, e.g. "ListStreams", "GetClip". */
  readonly operation: string;
  /** "ok", or the failure's name: the AWS exception (e.g. "ResourceNotFoundException") or a socket code. */
  readonly outcome: string;
  readonly durationMs: number;
  /** x-amzn-RequestId of the answer, when KVS answered. */
  readonly requestId: string | undefined;
  /** HTTP status of a failure's answer, when there was one. */
  readonly httpStatus: number | undefined;
  /** The failure itself (undefined for "ok"). */
  readonly error: unknown;
}

/** "endpoint": GetDataEndpoint; "stream": DescribeStream and ListStreams answers; "fragments": settled ListFragments windows; "image": GetImages pages. */
export type KvsCacheName = "endpoint" | "stream" | "fragments" | "image";
/** A hit, a miss that joined a lookup already running, or a miss that made its own call. */
export type KvsCacheOutcome = "hit" | "shared" | "miss";
/** "shared": a stream's NOW session; "private": any other start selector. */
export type GetMediaSessionKind = "shared" | "private";

export interface KvsObserver {
  kvsCall(report: KvsCallReport): void;
  cacheLookup(cache: KvsCacheName, outcome: KvsCacheOutcome): void;
  /** +1 when a GetMedia session opens, -1 when it is retired. */
  getMediaSessions(kind: GetMediaSessionKind, delta: 1 | -1): void;
  /**
   * A private GetMedia session refused without calling KVS: "stream" (the stream's cap) or
   * "owner" (the owner's share of it).
   */
  getMediaRefused?(cap: "stream" | "owner"): void;
  /** A resume served from a shared session's replay buffer instead of a private session. */
  getMediaReplayed?(): void;
}

export const NO_OBSERVER: KvsObserver = {
  kvsCall() {},
  cacheLookup() {},
  getMediaSessions() {},
};
