// The HLS and DASH sessions kvs-local has handed out, by session token. A token is an opaque
// random string; it is refused (NotAuthorizedException, 403) once its Expires has passed, and
// forgotten soon after. Sessions live in memory: a restarted kvs-local knows none of the old
// tokens, which players then meet as expired ones. The count is bounded.
import { randomBytes } from "node:crypto";
import { KvsServiceError } from "../../errors.ts";
import type { PlaybackTrackPlan } from "./playback-tracks.ts";
import type { PlaybackSessionRequest } from "./session-request.ts";
import type { SessionTimeline } from "./session-timeline.ts";

export const DEFAULT_MAX_PLAYBACK_SESSIONS = 10_000;

export interface PlaybackSession {
  readonly token: string;
  readonly request: PlaybackSessionRequest;
  readonly streamArn: string;
  readonly streamName: string;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
  readonly plan: PlaybackTrackPlan;
  readonly timeline: SessionTimeline;
  /** RFC 6381 codec strings per track number (HLS CODECS, DASH @codecs). */
  readonly codecs: ReadonlyMap<number, string>;
  /** Init segments per `${trackNumber}:${headerId}`, built once. */
  readonly inits: Map<string, Promise<Uint8Array>>;
}

export type NewPlaybackSession = Omit<PlaybackSession, "token" | "inits">;

export class PlaybackSessions {
  readonly #sessions = new Map<string, PlaybackSession>();
  readonly #max: number;

  constructor(max = DEFAULT_MAX_PLAYBACK_SESSIONS) {
    this.#max = max;
  }

  add(session: NewPlaybackSession, nowMs: number): PlaybackSession {
    if (this.#sessions.size >= this.#max) this.#sweep(nowMs);
    if (this.#sessions.size >= this.#max) {
      throw new KvsServiceError(
        "ClientLimitExceededException",
        "Too many active streaming sessions; retry later.",
      );
    }
    const token = randomBytes(48).toString("base64url");
    const added: PlaybackSession = { ...session, token, inits: new Map() };
    this.#sessions.set(token, added);
    return added;
  }

  /** The live session for `token`, or NotAuthorizedException (403) when unknown or expired. */
  get(token: string | null, nowMs: number): PlaybackSession {
    const session = token ? this.#sessions.get(token) : undefined;
    if (!session || session.expiresAtMs <= nowMs) {
      if (session) this.#sessions.delete(session.token);
      throw new KvsServiceError(
        "NotAuthorizedException",
        "The session token is invalid or has expired.",
        403,
      );
    }
    return session;
  }

  get size(): number {
    return this.#sessions.size;
  }

  #sweep(nowMs: number) {
    for (const [token, session] of this.#sessions) {
      if (session.expiresAtMs <= nowMs) this.#sessions.delete(token);
    }
  }
}
