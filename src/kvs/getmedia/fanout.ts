// Fans GetMedia sessions out to subscribers. Everyone who starts at NOW on a stream shares one
// upstream session per process (KVS allows 3 GetMedia connections per stream); any other start
// selector gets its own, up to a per-stream cap past which it is refused at once. Streams come by
// ARN (see getmedia-stream-arns.ts), so subscribers who named one stream differently still share
// its session. The upstream is aborted as soon as its last subscriber leaves. Each owner (the
// gateway's principal) may hold only its share of a stream's private sessions, and a resume close
// to the live edge is served from the shared session's replay buffer rather than a new session.

import { ConnectionLimitExceededError } from "../core/errors.ts";
import { type KvsObserver, NO_OBSERVER } from "../core/observer.ts";
import { Pacer } from "../core/pacer.ts";
import type { StreamArnRef } from "../core/stream-arns.ts";
import { streamRefKey } from "../core/validation.ts";
import {
  LOCAL_SHARED_SESSIONS,
  type PrivateSessionSlot,
  type PrivateSessionSlots,
  type SharedSessionHandle,
  type SharedSessionSource,
} from "./coordination.ts";
import { ShuttingDownError } from "./errors.ts";
import { GetMediaSession, type GetMediaSessionDeps, type SessionEvent } from "./session.ts";
import type { StartSelector } from "./start.ts";
import {
  DEFAULT_SUBSCRIBER_BUFFER,
  type FragmentFeedEvent,
  FragmentSubscriber,
} from "./subscriber.ts";
import type { GetMediaFragment } from "./types.ts";

/**
 * KVS allows 3 concurrent GetMedia connections per stream. One is left for the stream's shared
 * NOW session, which serves any number of subscribers: private readers (history, resumes) must
 * not be able to lock every live subscriber out.
 */
export const DEFAULT_MAX_PRIVATE_SESSIONS_PER_STREAM = 2;

export interface GetMediaFanoutOptions extends GetMediaSessionDeps {
  /** Events a subscriber may fall behind before it is dropped (default 64). */
  subscriberBuffer?: number;
  /**
   * Sessions with a start other than NOW open at once per stream (default 2); one more is
   * refused with ConnectionLimitExceeded without calling KVS. Infinity = no cap.
   */
  maxPrivateSessionsPerStream?: number;
  /**
   * Of those, how many one owner (the gateway passes the principal) may hold per stream (default
   * Infinity): so one client can't take every private session of a stream and lock everyone
   * else out of history and resumes. Past it the subscription is refused at once.
   */
  maxPrivateSessionsPerOwner?: number;
  /**
   * Fragments each stream's shared NOW session remembers (default 128; 0: none), newest last:
   * parsed metadata, not media bytes. A resume (CONTINUATION_TOKEN or FRAGMENT_NUMBER) naming
   * one of them is served the ones after it from here and then joins the live session, instead
   * of opening a private session: the usual case of a subscriber dropped as SlowSubscriber.
   */
  replayBufferEntries?: number;
  /** Told when sessions open and close. */
  observer?: KvsObserver;
  /** Where shared NOW sessions come from (default: this process's own; cluster mode: the fleet's). */
  sharedSessions?: SharedSessionSource;
  /** Fleet-wide budget of private sessions (cluster mode); the per-process cap applies as well. */
  privateSlots?: PrivateSessionSlots;
}

/** The knobs a gateway deployment may set (the clients come from the gateway's services). */
export type GetMediaOptions = Pick<
  GetMediaFanoutOptions,
  | "subscriberBuffer"
  | "maxPrivateSessionsPerStream"
  | "maxPrivateSessionsPerOwner"
  | "replayBufferEntries"
  | "backoff"
  | "stallTimeoutMs"
  | "maxConsecutiveFailures"
>;

interface SessionGroup {
  /** Null while a private session waits for its fleet-wide slot. */
  session: SharedSessionHandle | null;
  slot: PrivateSessionSlot | null;
  subscribers: Set<FragmentSubscriber>;
  /** The stream's ARN key. */
  streamKey: string;
  /** Whether this is the stream's NOW session (in `shared`) rather than a private one. */
  shared: boolean;
  /** A private session's owner key (stream key + owner), counted in `ownerCounts`. */
  ownerKey: string | undefined;
  /** The shared session's latest fragments, oldest first (at most replayBufferEntries). */
  recent: GetMediaFragment[];
}

export const DEFAULT_REPLAY_BUFFER_ENTRIES = 128;

export class GetMediaFanout {
  private readonly shared = new Map<string, SessionGroup>();
  /** Private sessions open per stream key (streams with none are absent). */
  private readonly privateCounts = new Map<string, number>();
  /** Private sessions open per (stream key, owner). */
  private readonly ownerCounts = new Map<string, number>();
  private readonly groups = new Set<SessionGroup>();
  private readonly deps: GetMediaSessionDeps;
  private readonly bufferSize: number;
  private readonly maxPrivatePerStream: number;
  private readonly maxPrivatePerOwner: number;
  private readonly replayEntries: number;
  private readonly observer: KvsObserver;
  private readonly sharedSessions: SharedSessionSource;
  private readonly privateSlots: PrivateSessionSlots | undefined;
  private shuttingDown = false;

  constructor(options: GetMediaFanoutOptions) {
    const {
      subscriberBuffer,
      maxPrivateSessionsPerStream,
      maxPrivateSessionsPerOwner,
      replayBufferEntries,
      observer,
      sharedSessions,
      privateSlots,
      ...deps
    } = options;
    this.observer = observer ?? NO_OBSERVER;
    this.sharedSessions = sharedSessions ?? LOCAL_SHARED_SESSIONS;
    this.privateSlots = privateSlots;
    this.bufferSize = subscriberBuffer ?? DEFAULT_SUBSCRIBER_BUFFER;
    this.maxPrivatePerStream =
      maxPrivateSessionsPerStream ?? DEFAULT_MAX_PRIVATE_SESSIONS_PER_STREAM;
    if (
      !(Number.isInteger(this.maxPrivatePerStream) && this.maxPrivatePerStream >= 0) &&
      this.maxPrivatePerStream !== Number.POSITIVE_INFINITY
    ) {
      throw new RangeError("maxPrivateSessionsPerStream must be a whole number ≥ 0 or Infinity");
    }
    this.replayEntries = replayBufferEntries ?? DEFAULT_REPLAY_BUFFER_ENTRIES;
    if (!Number.isInteger(this.replayEntries) || this.replayEntries < 0) {
      throw new RangeError("replayBufferEntries must be a whole number ≥ 0");
    }
    this.maxPrivatePerOwner = maxPrivateSessionsPerOwner ?? Number.POSITIVE_INFINITY;
    if (
      !(Number.isInteger(this.maxPrivatePerOwner) && this.maxPrivatePerOwner >= 0) &&
      this.maxPrivatePerOwner !== Number.POSITIVE_INFINITY
    ) {
      throw new RangeError("maxPrivateSessionsPerOwner must be a whole number ≥ 0 or Infinity");
    }
    // One limiter for every session of this fan-out: the 5 TPS limit is per stream, not session.
    this.deps = { ...deps, rateLimiter: deps.rateLimiter ?? new Pacer() };
  }

  /** Upstream sessions open right now. */
  get sessionCount(): number {
    return this.groups.size;
  }

  /** Subscribers across all sessions. */
  get subscriberCount(): number {
    let count = 0;
    for (const group of this.groups) count += group.subscribers.size;
    return count;
  }

  /**
   * Starts (or joins) the session for `stream` and `start`. The returned iterator yields fragment
   * events and at most one error event, which is always last; calling `return()` leaves. A
   * private session past the stream's cap is refused: the iterator yields only a
   * ConnectionLimitExceededError, and KVS is not called. `owner` (e.g. the principal) is whose
   * share of the stream's private sessions this one counts against.
   */
  subscribe(
    stream: StreamArnRef,
    start: StartSelector,
    owner = "",
  ): AsyncIterableIterator<FragmentFeedEvent> {
    if (this.shuttingDown) return this.single(new ShuttingDownError(null));
    const streamKey = streamRefKey(stream);
    const shared = start.type === "NOW";
    const replayed = shared ? undefined : this.resumeFromReplay(streamKey, start);
    if (replayed) return replayed;
    let group = shared ? this.shared.get(streamKey) : undefined;
    if (!group) {
      const ownerKey = shared ? undefined : `${streamKey}\n${owner}`;
      if (ownerKey !== undefined) {
        if ((this.ownerCounts.get(ownerKey) ?? 0) >= this.maxPrivatePerOwner) {
          this.observer.getMediaRefused?.("owner");
          return this.ownerRefusal(stream);
        }
        if ((this.privateCounts.get(streamKey) ?? 0) >= this.maxPrivatePerStream) {
          this.observer.getMediaRefused?.("stream");
          return this.refusal(stream);
        }
      }
      group = this.open(stream, start, streamKey, ownerKey);
    }
    const joined = group;
    const subscriber = new FragmentSubscriber(this.bufferSize, (left) => this.leave(joined, left));
    joined.subscribers.add(subscriber);
    return subscriber;
  }

  /**
   * Ends every subscription with a ShuttingDownError as its last event (after the fragments it
   * was already sent), stops every session, and refuses new subscriptions the same way.
   */
  shutDown(): void {
    this.shuttingDown = true;
    for (const group of [...this.groups]) {
      for (const subscriber of [...group.subscribers]) subscriber.shutDown();
      this.retire(group);
    }
  }

  /** Stops every session and ends every subscription. */
  close(): void {
    for (const group of [...this.groups]) {
      for (const subscriber of [...group.subscribers]) void subscriber.return();
      this.retire(group);
    }
  }

  private open(
    stream: StreamArnRef,
    start: StartSelector,
    streamKey: string,
    ownerKey: string | undefined,
  ): SessionGroup {
    const shared = ownerKey === undefined;
    const subscribers = new Set<FragmentSubscriber>();
    const group: SessionGroup = {
      session: null,
      slot: null,
      subscribers,
      streamKey,
      shared,
      ownerKey,
      recent: [],
    };
    const onEvent = (event: SessionEvent) => this.dispatch(group, event);
    this.groups.add(group);
    this.observer.getMediaSessions(shared ? "shared" : "private", 1);
    if (shared) {
      this.shared.set(streamKey, group);
      group.session = this.sharedSessions.open(stream, this.deps, onEvent);
      return group;
    }
    this.privateCounts.set(streamKey, (this.privateCounts.get(streamKey) ?? 0) + 1);
    if (ownerKey !== undefined) {
      this.ownerCounts.set(ownerKey, (this.ownerCounts.get(ownerKey) ?? 0) + 1);
    }
    const startPrivate = () => {
      const session = new GetMediaSession({ ...this.deps, stream, start, onEvent });
      group.session = session;
      void session.run();
    };
    if (this.privateSlots === undefined) {
      startPrivate();
      return group;
    }
    // The fleet-wide count is asked first; the subscriber is already queued and waits for it.
    void this.privateSlots.acquire(streamKey, this.maxPrivatePerStream).then((slot) => {
      if (!this.groups.has(group)) {
        slot?.release();
        return;
      }
      if (slot === null) {
        const refusal = this.refusalError(stream, "fleet");
        this.retire(group);
        for (const subscriber of [...group.subscribers]) subscriber.fail(refusal);
        return;
      }
      group.slot = slot;
      startPrivate();
    });
    return group;
  }

  /**
   * A resume close to the live edge: when `start` names a fragment the stream's shared session
   * delivered and still remembers, a subscriber of that session that is first sent the fragments
   * after it. All of this happens before the session can deliver another fragment (dispatch is
   * synchronous), so there is no gap and no duplicate. Undefined: not in the buffer, or more
   * behind than the subscriber's buffer takes (it would only be dropped again).
   */
  private resumeFromReplay(
    streamKey: string,
    start: StartSelector,
  ): FragmentSubscriber | undefined {
    if (start.type !== "CONTINUATION_TOKEN" && start.type !== "FRAGMENT_NUMBER") return undefined;
    const group = this.shared.get(streamKey);
    // A group in `shared` is live: one whose session ended for good has been retired from it.
    if (group === undefined) return undefined;
    const index = group.recent.findIndex((fragment) =>
      start.type === "CONTINUATION_TOKEN"
        ? fragment.continuationToken === start.continuationToken
        : fragment.fragmentNumber === start.afterFragmentNumber,
    );
    if (index < 0) return undefined;
    const missed = group.recent.slice(index + 1);
    if (missed.length >= this.bufferSize) return undefined;
    const subscriber = new FragmentSubscriber(this.bufferSize, (left) => this.leave(group, left));
    for (const fragment of missed) subscriber.offer(fragment);
    group.subscribers.add(subscriber);
    this.observer.getMediaReplayed?.();
    return subscriber;
  }

  /** A feed holding only the refusal of a private session past the stream's cap. */
  private refusal(stream: StreamArnRef): AsyncIterableIterator<FragmentFeedEvent> {
    return this.single(this.refusalError(stream, "gateway"));
  }

  private refusalError(stream: StreamArnRef, who: "gateway" | "fleet"): Error {
    const holder =
      who === "gateway" ? "The gateway already holds" : "The gateway fleet already holds";
    return new ConnectionLimitExceededError(
      `${holder} ${this.maxPrivatePerStream} GetMedia sessions on stream ${stream.arn} for subscriptions that do not start at NOW, its limit per stream (KVS allows 3 GetMedia connections per stream). Subscribe at NOW to share the live session, or retry when one of the others ends.`,
    );
  }

  /** A feed holding only the refusal of a private session past the owner's share. */
  private ownerRefusal(stream: StreamArnRef): AsyncIterableIterator<FragmentFeedEvent> {
    return this.single(
      new ConnectionLimitExceededError(
        `You already hold ${this.maxPrivatePerOwner} of the gateway's GetMedia sessions on stream ${stream.arn} for subscriptions that do not start at NOW, your share per stream (the stream has ${this.maxPrivatePerStream}, shared by every client). Subscribe at NOW to share the live session, or end one of your other subscriptions on this stream first.`,
      ),
    );
  }

  /** A feed holding only `error`. */
  private single(error: Error): AsyncIterableIterator<FragmentFeedEvent> {
    const feed = new FragmentSubscriber(1, () => {});
    feed.fail(error);
    return feed;
  }

  private dispatch(group: SessionGroup, event: SessionEvent): void {
    if (event.type === "fragment") {
      if (group.shared && this.replayEntries > 0) {
        group.recent.push(event.fragment);
        if (group.recent.length > this.replayEntries) group.recent.shift();
      }
      // Copy: an overflowing subscriber detaches itself while we iterate.
      for (const subscriber of [...group.subscribers]) subscriber.offer(event.fragment);
    } else if (event.type === "end") {
      // A session that ended for good is never joined again; a new subscriber opens a fresh one.
      this.retire(group);
      for (const subscriber of [...group.subscribers]) subscriber.fail(event.error);
    }
  }

  private leave(group: SessionGroup, subscriber: FragmentSubscriber): void {
    group.subscribers.delete(subscriber);
    if (group.subscribers.size === 0) this.retire(group);
  }

  private retire(group: SessionGroup): void {
    if (!this.groups.delete(group)) return;
    this.observer.getMediaSessions(group.shared ? "shared" : "private", -1);
    if (!group.shared) {
      const left = (this.privateCounts.get(group.streamKey) ?? 1) - 1;
      if (left > 0) this.privateCounts.set(group.streamKey, left);
      else this.privateCounts.delete(group.streamKey);
      if (group.ownerKey !== undefined) {
        const owned = (this.ownerCounts.get(group.ownerKey) ?? 1) - 1;
        if (owned > 0) this.ownerCounts.set(group.ownerKey, owned);
        else this.ownerCounts.delete(group.ownerKey);
      }
    } else if (this.shared.get(group.streamKey) === group) {
      this.shared.delete(group.streamKey);
    }
    group.session?.stop();
    group.slot?.release();
  }
}
