// Fans GetMedia sessions out to subscribers. Everyone who starts at NOW on a stream shares one
// upstream session per process (KVS allows few GetMedia connections per stream); any other start
// selector gets its own. Streams come by ARN (see getmedia-stream-arns.ts), so subscribers who
// named one stream differently still share its session. The upstream is aborted as soon as its
// last subscriber leaves.

import { PerStreamRateLimiter } from "./getmedia-rate-limit.ts";
import {
  GetMediaSession,
  type GetMediaSessionDeps,
  type SessionEvent,
} from "./getmedia-session.ts";
import type { StartSelector } from "./getmedia-start.ts";
import type { StreamArnRef } from "./getmedia-stream-arns.ts";
import {
  DEFAULT_SUBSCRIBER_BUFFER,
  type FragmentFeedEvent,
  FragmentSubscriber,
} from "./getmedia-subscriber.ts";
import { streamRefKey } from "./validation.ts";

export interface GetMediaFanoutOptions extends GetMediaSessionDeps {
  /** Events a subscriber may fall behind before it is dropped (default 64). */
  subscriberBuffer?: number;
}

/** The knobs a gateway deployment may set (the clients come from the gateway's services). */
export type GetMediaOptions = Pick<
  GetMediaFanoutOptions,
  "subscriberBuffer" | "backoff" | "stallTimeoutMs" | "maxConsecutiveFailures"
>;

interface SessionGroup {
  session: GetMediaSession;
  subscribers: Set<FragmentSubscriber>;
  /** Key in `shared` for a NOW session; null for a private one. */
  sharedKey: string | null;
}

export class GetMediaFanout {
  private readonly shared = new Map<string, SessionGroup>();
  private readonly groups = new Set<SessionGroup>();
  private readonly deps: GetMediaSessionDeps;
  private readonly bufferSize: number;

  constructor(options: GetMediaFanoutOptions) {
    const { subscriberBuffer, ...deps } = options;
    this.bufferSize = subscriberBuffer ?? DEFAULT_SUBSCRIBER_BUFFER;
    // One limiter for every session of this fan-out: the 5 TPS limit is per stream, not session.
    this.deps = { ...deps, rateLimiter: deps.rateLimiter ?? new PerStreamRateLimiter() };
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
   * events and at most one error event, which is always last; calling `return()` leaves.
   */
  subscribe(stream: StreamArnRef, start: StartSelector): AsyncIterableIterator<FragmentFeedEvent> {
    const sharedKey = start.type === "NOW" ? streamRefKey(stream) : null;
    const group = (sharedKey && this.shared.get(sharedKey)) || this.open(stream, start, sharedKey);
    const subscriber = new FragmentSubscriber(this.bufferSize, (left) => this.leave(group, left));
    group.subscribers.add(subscriber);
    return subscriber;
  }

  /** Stops every session and ends every subscription. */
  close(): void {
    for (const group of [...this.groups]) {
      for (const subscriber of [...group.subscribers]) void subscriber.return();
      this.retire(group);
    }
  }

  private open(stream: StreamArnRef, start: StartSelector, sharedKey: string | null): SessionGroup {
    const subscribers = new Set<FragmentSubscriber>();
    const session = new GetMediaSession({
      ...this.deps,
      stream,
      start,
      onEvent: (event) => this.dispatch(group, event),
    });
    const group: SessionGroup = { session, subscribers, sharedKey };
    this.groups.add(group);
    if (sharedKey) this.shared.set(sharedKey, group);
    void session.run();
    return group;
  }

  private dispatch(group: SessionGroup, event: SessionEvent): void {
    if (event.type === "fragment") {
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
    if (group.sharedKey && this.shared.get(group.sharedKey) === group) {
      this.shared.delete(group.sharedKey);
    }
    group.session.stop();
  }
}
