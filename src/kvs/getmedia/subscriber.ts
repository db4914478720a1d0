// One subscriber's side of a shared GetMedia session: a bounded queue read as an AsyncIterator.
// The session pushes without waiting; a subscriber that lets `capacity` events pile up is cut off
// with a SlowSubscriberError, so it can neither stall the session nor grow memory.
import type { GetMediaFragment } from "../../mkv/getmedia/types.ts";
import { ShuttingDownError, SlowSubscriberError } from "./errors.ts";

export type FragmentFeedEvent =
  | { type: "fragment"; fragment: GetMediaFragment }
  /** Always the last event: the subscription ends after it. */
  | { type: "error"; error: Error };

export const DEFAULT_SUBSCRIBER_BUFFER = 64;

export class FragmentSubscriber implements AsyncIterableIterator<FragmentFeedEvent> {
  private readonly buffer: FragmentFeedEvent[] = [];
  private waiting: ((result: IteratorResult<FragmentFeedEvent>) => void) | null = null;
  /** No more events will be accepted (an error was queued, or the consumer left). */
  private closed = false;
  private lastToken: string | null = null;

  private readonly capacity: number;
  /** Called once when this subscriber stops listening, whatever the reason. */
  private readonly onDetach: (subscriber: FragmentSubscriber) => void;

  constructor(capacity: number, onDetach: (subscriber: FragmentSubscriber) => void) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError("subscriber buffer capacity must be a positive integer");
    }
    this.capacity = capacity;
    this.onDetach = onDetach;
  }

  /** Events waiting to be read (at most capacity + 1 terminal error). */
  get buffered(): number {
    return this.buffer.length;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Queues a fragment; on overflow the subscriber is dropped with a SlowSubscriberError. */
  offer(fragment: GetMediaFragment): void {
    if (this.closed) return;
    if (this.buffer.length >= this.capacity) {
      this.fail(new SlowSubscriberError(this.capacity, this.lastToken));
      return;
    }
    this.lastToken = fragment.continuationToken ?? this.lastToken;
    this.deliver({ type: "fragment", fragment });
  }

  /** Queues `error` as the final event (after what is already buffered) and detaches. */
  fail(error: Error): void {
    if (this.closed) return;
    this.deliver({ type: "error", error });
    this.close();
  }

  /** Ends the subscription because the process stops: a ShuttingDownError after what is buffered. */
  shutDown(): void {
    this.fail(new ShuttingDownError(this.lastToken));
  }

  next(): Promise<IteratorResult<FragmentFeedEvent>> {
    const event = this.buffer.shift();
    if (event) return Promise.resolve({ value: event, done: false });
    if (this.closed) return Promise.resolve(done());
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  /** The consumer left: drop what is buffered, detach from the session, end the iteration. */
  return(): Promise<IteratorResult<FragmentFeedEvent>> {
    this.buffer.length = 0;
    this.close();
    return Promise.resolve(done());
  }

  throw(error?: unknown): Promise<IteratorResult<FragmentFeedEvent>> {
    this.buffer.length = 0;
    this.close();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<FragmentFeedEvent> {
    return this;
  }

  private deliver(event: FragmentFeedEvent): void {
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = null;
      waiting({ value: event, done: false });
    } else {
      this.buffer.push(event);
    }
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.(done());
    this.onDetach(this);
  }
}

function done(): IteratorResult<FragmentFeedEvent> {
  return { value: undefined, done: true };
}
