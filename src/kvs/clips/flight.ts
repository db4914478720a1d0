import { finished, Readable } from "node:stream";

/**
 * One upstream GetClip shared by every download of the same clip while it runs. Each reader gets
 * the clip from byte 0: a late joiner is first handed the bytes already received, then the rest as
 * they arrive, without waiting for the end.
 *
 * Memory stays bounded. While the flight is *retaining* (joinable, and a candidate for the cache) it
 * keeps every byte, up to `maxRetainedBytes` and within a budget shared by all flights; upstream is
 * read as fast as the fastest reader takes it, slower readers replay from memory. Past either bound
 * the flight turns *streaming*: it takes no new reader, forgets bytes every reader has had, and reads
 * upstream only as fast as the slowest reader (plain backpressure). When the last reader leaves, the
 * upstream request is aborted.
 */

export interface ClipUpstreamResponse {
  body: Readable;
  /** From the upstream's Content-Length, when it sent one. */
  contentLength: number | undefined;
}

/** Starts the upstream call; must abort it (request and body) when `signal` fires. */
export type ClipFetch = (signal: AbortSignal) => Promise<ClipUpstreamResponse>;

/** Bytes retained by all running flights together. */
export class RetentionBudget {
  #used = 0;
  readonly maxBytes: number;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  get usedBytes(): number {
    return this.#used;
  }

  tryReserve(bytes: number): boolean {
    if (this.#used + bytes > this.maxBytes) return false;
    this.#used += bytes;
    return true;
  }

  /** Counts bytes that must be held whatever the bound (a streaming flight's in-transit chunk). */
  reserve(bytes: number): void {
    this.#used += bytes;
  }

  release(bytes: number): void {
    this.#used = Math.max(0, this.#used - bytes);
  }
}

export interface ClipFlightOptions {
  maxRetainedBytes: number;
  budget: RetentionBudget;
  /**
   * The flight completed while retaining: the whole clip, in order. A returned promise keeps the
   * chunks counted in the budget until it settles (e.g. while the cache writes them to disk).
   */
  onComplete?: (chunks: readonly Buffer[], size: number) => undefined | Promise<void>;
  /** The flight takes no more readers (completed, failed, aborted or streaming). */
  onClosed?: () => void;
}

type FlightState = "starting" | "running" | "done" | "failed";

export interface FlightStart {
  contentLength: number | undefined;
}

export class ClipFlight {
  /** Resolves when upstream has answered and bytes can flow; rejects with the upstream error. */
  readonly ready: Promise<FlightStart>;
  readonly #options: ClipFlightOptions;
  readonly #abort = new AbortController();
  readonly #readers = new Set<FlightReader>();
  /** Chunks from absolute index `#base`; earlier ones are forgotten (streaming only). */
  readonly #chunks: Buffer[] = [];
  #base = 0;
  #heldBytes = 0;
  #receivedBytes = 0;
  #retaining = true;
  #state: FlightState = "starting";
  #error: unknown;
  #resumeUpstream: (() => void) | undefined;
  #closedNotified = false;

  constructor(fetch: ClipFetch, options: ClipFlightOptions) {
    this.#options = options;
    this.ready = fetch(this.#abort.signal).then(
      (response) => {
        if (this.#abort.signal.aborted) {
          response.body.destroy();
          this.#fail(this.#abort.signal.reason);
          throw this.#abort.signal.reason;
        }
        this.#state = "running";
        this.#pump(response.body);
        return { contentLength: response.contentLength };
      },
      (error: unknown) => {
        this.#fail(error);
        throw error;
      },
    );
    // Readers learn the outcome from `ready`; this only keeps an unobserved rejection quiet.
    this.ready.catch(() => {});
  }

  /** Whether a new reader can still get the whole clip from this flight. */
  get joinable(): boolean {
    return (
      this.#retaining &&
      !this.#abort.signal.aborted &&
      (this.#state === "starting" || this.#state === "running")
    );
  }

  get readerCount(): number {
    return this.#readers.size;
  }

  get receivedBytes(): number {
    return this.#receivedBytes;
  }

  /** A new reader from byte 0. Destroying it leaves the flight. */
  join(): Readable {
    if (!this.joinable) throw new Error("this clip download can no longer be joined");
    const reader = new FlightReader(this);
    this.#readers.add(reader);
    // A reader errs only when upstream breaks mid-clip; its consumer (a pipeline) sees that. Until
    // the consumer attaches, the error must not become an uncaught 'error' event.
    reader.on("error", () => {});
    return reader;
  }

  /** Called by a reader that wants more: gives it what is buffered, or registers its demand. */
  feed(reader: FlightReader): void {
    reader.waiting = false;
    while (reader.position < this.#base + this.#chunks.length) {
      const chunk = this.#chunks[reader.position - this.#base] as Buffer;
      reader.position++;
      if (!reader.push(chunk)) {
        this.#trim();
        return;
      }
    }
    if (this.#state === "done") {
      reader.push(null);
      return;
    }
    if (this.#state === "failed") {
      reader.destroy(toError(this.#error));
      return;
    }
    reader.waiting = true;
    this.#trim();
    this.#maybeWake();
  }

  leave(reader: FlightReader): void {
    if (!this.#readers.delete(reader)) return;
    if (this.#readers.size === 0 && (this.#state === "starting" || this.#state === "running")) {
      this.#abort.abort(new DOMException("every reader of the clip left", "AbortError"));
      this.#maybeWake();
      return;
    }
    this.#trim();
    this.#maybeWake();
  }

  /** Reads upstream in flowing mode, pausing it whenever no reader asks for more. */
  #pump(body: Readable): void {
    const onAbort = () => body.destroy();
    this.#abort.signal.addEventListener("abort", onAbort, { once: true });
    this.#resumeUpstream = () => {
      if (body.isPaused()) body.resume();
    };
    body.on("data", (data: Buffer | Uint8Array) => {
      this.#append(Buffer.isBuffer(data) ? data : Buffer.from(data));
      if (!this.#hasDemand()) body.pause();
    });
    finished(body, (error) => {
      this.#abort.signal.removeEventListener("abort", onAbort);
      this.#resumeUpstream = undefined;
      if (this.#abort.signal.aborted) this.#fail(this.#abort.signal.reason);
      else if (error) this.#fail(error);
      else this.#complete();
      body.destroy();
    });
    if (!this.#hasDemand()) body.pause();
  }

  #hasDemand(): boolean {
    let waiting = 0;
    for (const reader of this.#readers) if (reader.waiting) waiting++;
    // Retaining: the fastest reader sets the pace (the rest replay from memory). Streaming: the slowest.
    return this.#retaining ? waiting > 0 : waiting === this.#readers.size && waiting > 0;
  }

  #maybeWake(): void {
    if (this.#hasDemand()) this.#resumeUpstream?.();
  }

  #append(chunk: Buffer): void {
    this.#receivedBytes += chunk.byteLength;
    if (
      this.#retaining &&
      (this.#receivedBytes > this.#options.maxRetainedBytes ||
        !this.#options.budget.tryReserve(chunk.byteLength))
    ) {
      this.#startStreaming();
    }
    if (!this.#retaining) this.#options.budget.reserve(chunk.byteLength);
    this.#chunks.push(chunk);
    this.#heldBytes += chunk.byteLength;
    for (const reader of [...this.#readers]) if (reader.waiting) this.feed(reader);
    this.#trim();
  }

  #startStreaming(): void {
    this.#retaining = false;
    this.#notifyClosed();
  }

  /** Streaming: drops the chunks every reader has already taken. */
  #trim(): void {
    if (this.#retaining) return;
    let oldest = this.#base + this.#chunks.length;
    for (const reader of this.#readers) oldest = Math.min(oldest, reader.position);
    let freed = 0;
    while (this.#base < oldest) {
      freed += this.#chunks.shift()?.byteLength ?? 0;
      this.#base++;
    }
    this.#heldBytes -= freed;
    this.#options.budget.release(freed);
  }

  #complete(): void {
    this.#state = "done";
    const stored = this.#retaining
      ? this.#options.onComplete?.(this.#chunks, this.#receivedBytes)
      : undefined;
    // The cache (or the remaining readers) holds the bytes now; they no longer count as in flight,
    // except while the cache is still writing them out.
    const held = this.#heldBytes;
    this.#heldBytes = 0;
    const release = () => this.#options.budget.release(held);
    if (stored === undefined) release();
    else stored.then(release, release);
    this.#notifyClosed();
    for (const reader of [...this.#readers]) if (reader.waiting) this.feed(reader);
  }

  #fail(error: unknown): void {
    if (this.#state === "done" || this.#state === "failed") return;
    this.#state = "failed";
    this.#error = error;
    this.#options.budget.release(this.#heldBytes);
    this.#heldBytes = 0;
    this.#notifyClosed();
    for (const reader of [...this.#readers]) {
      // Before upstream answered, readers learn the error from `ready`, not as a stream error.
      if (reader.position === 0 && this.#receivedBytes === 0) reader.destroy();
      else reader.destroy(toError(error));
    }
  }

  #notifyClosed(): void {
    if (this.#closedNotified) return;
    this.#closedNotified = true;
    this.#options.onClosed?.();
  }
}

const READER_HIGH_WATER_MARK = 256 * 1024;

class FlightReader extends Readable {
  /** Absolute index of the next chunk to push. */
  position = 0;
  /** Pushed everything available and asked for more. */
  waiting = false;
  readonly #flight: ClipFlight;

  constructor(flight: ClipFlight) {
    // Room for a few upstream chunks (64 KiB each from node:http): with Readable's default of
    // 16 KiB every chunk would stall the upstream until the reader asks again.
    super({ highWaterMark: READER_HIGH_WATER_MARK });
    this.#flight = flight;
  }

  override _read(): void {
    this.#flight.feed(this);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#flight.leave(this);
    callback(error);
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
