// One upstream GetMedia session for (stream, start selector), kept alive across KVS's session
// ends, dropped connections, throttling and 5xx by reconnecting from the last continuation token.
// Subscribers see each complete fragment once, in fragment-number order.
import {
  GetMediaCommand,
  type GetMediaCommandOutput,
  type StartSelector as SdkStartSelector,
} from "@aws-sdk/client-kinesis-video-media";
import { GetMediaReader } from "../../mkv/getmedia/reader.ts";
import type { GetMediaFragment, ReaderEvent } from "../../mkv/getmedia/types.ts";
import { FRAGMENT_NOT_FOUND_ERROR_ID } from "../../mkv/kvs-tags/error-ids.ts";
import { isConnectionFailure, KvsError, UpstreamUnavailableError } from "../core/errors.ts";
import { Pacer, type StartGate, sleep } from "../core/pacer.ts";
import { type StreamRef, streamRefInput, streamRefKey } from "../core/validation.ts";
import { GetMediaStalledError, GetMediaStreamError } from "./errors.ts";
import { type BackoffPolicy, backoffDelay, classifyFailure, GET_MEDIA_BACKOFF } from "./retry.ts";
import { type StartSelector, toSdkStartSelector } from "./start.ts";

/** What the session needs from a KinesisVideoMediaClient (bound to the stream's data endpoint). */
export interface GetMediaSender {
  send(
    command: GetMediaCommand,
    options?: { abortSignal?: AbortSignal },
  ): Promise<GetMediaCommandOutput>;
}

export interface FragmentReader {
  push(chunk: Uint8Array): ReaderEvent[];
  end(): ReaderEvent[];
}

export type SessionEvent =
  | { type: "fragment"; fragment: GetMediaFragment }
  /** The session stopped itself for good; no event follows. */
  | { type: "end"; error: Error }
  /** Diagnostics only: an attempt ended and the session will reopen after `delayMs`. */
  | { type: "reconnecting"; attempt: number; delayMs: number; reason: Error | null };

export interface GetMediaSessionDeps {
  /** The GetMedia client for the stream's data endpoint (the gateway's endpoint resolver). */
  getMediaClient(stream: StreamRef): Promise<GetMediaSender>;
  /** Called after InvalidEndpointException so the next `getMediaClient` resolves afresh. */
  invalidateEndpoint?(stream: StreamRef): void;
  /**
   * Shared by all sessions of the process (of the fleet, in cluster mode) so the per-stream
   * GetMedia rate holds across them.
   */
  rateLimiter?: StartGate;
  backoff?: Partial<BackoffPolicy>;
  /** Reconnect when the upstream sends no byte for this long (a dead connection sends nothing). */
  stallTimeoutMs?: number;
  /** Give up (ending with the last failure, typed) after this many failed attempts in a row. */
  maxConsecutiveFailures?: number;
  createReader?(): FragmentReader;
  random?(): number;
  now?(): number;
}

export interface GetMediaSessionOptions extends GetMediaSessionDeps {
  stream: StreamRef;
  start: StartSelector;
  onEvent(event: SessionEvent): void;
}

const DEFAULT_STALL_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_CONSECUTIVE_FAILURES = 10;

type AttemptOutcome =
  | { kind: "ended" }
  /** `connecting`: no response yet, so the endpoint itself may be stale. */
  | { kind: "failed"; error: unknown; connecting?: boolean }
  | { kind: "stopped" };

export class GetMediaSession {
  readonly stream: StreamRef;
  readonly start: StartSelector;
  private readonly options: GetMediaSessionOptions;
  private readonly backoff: BackoffPolicy;
  private readonly rateLimiter: StartGate;
  /** Aborts the open request and any wait; fired once, by stop() or when the session ends. */
  private readonly stopController = new AbortController();
  private running: Promise<void> | null = null;
  private lastFragmentNumber: bigint | null = null;
  private lastToken: string | null = null;
  private deliveredInAttempt = 0;
  private attempts = 0;
  /** When a NOW session first asked for media: its reconnects must not skip what came after. */
  private nowSince: Date | null = null;
  /** Server time of the last fragment delivered. */
  private lastServerMs: number | null = null;
  /** Set when KVS no longer holds the last fragment: reopen by time, just after it. */
  private resumeAfter: Date | null = null;

  constructor(options: GetMediaSessionOptions) {
    this.options = options;
    this.stream = options.stream;
    this.start = options.start;
    this.backoff = { ...GET_MEDIA_BACKOFF, ...options.backoff };
    this.rateLimiter = options.rateLimiter ?? new Pacer();
  }

  /** Token of the last fragment delivered, for a client that wants to resume elsewhere. */
  get continuationToken(): string | null {
    return this.lastToken;
  }

  /** GetMedia requests sent so far (reconnects included). */
  get requestCount(): number {
    return this.attempts;
  }

  get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  /** Opens the upstream; resolves when the session has stopped (by stop() or for good). */
  run(): Promise<void> {
    this.running ??= this.loop();
    return this.running;
  }

  /** Aborts the open GetMedia request now; no event is emitted after this returns. */
  stop(): void {
    if (!this.stopped) this.stopController.abort(new Error("GetMedia session stopped"));
  }

  private async loop(): Promise<void> {
    let failures = 0;
    let idleRounds = 0;
    const signal = this.stopController.signal;
    try {
      while (!this.stopped) {
        await this.rateLimiter.acquire(streamRefKey(this.stream), signal);
        this.deliveredInAttempt = 0;
        const outcome = await this.attempt();
        if (outcome.kind === "stopped" || this.stopped) return;
        const progressed = this.deliveredInAttempt > 0;
        if (progressed) failures = 0;
        let delayMs: number;
        let reason: Error | null = null;
        if (outcome.kind === "failed" && !(outcome.error instanceof GetMediaStalledError)) {
          const classified = classifyFailure(outcome.error);
          const error = classified.error;
          const kind =
            classified.kind === "terminal" && this.resumeByTimeAfterGone(error)
              ? "transient"
              : classified.kind;
          reason = error;
          if (kind === "terminal") return this.end(error);
          if (kind === "endpoint" || (outcome.connecting && isConnectionFailure(outcome.error))) {
            this.options.invalidateEndpoint?.(this.stream);
          }
          failures++;
          if (
            failures >= (this.options.maxConsecutiveFailures ?? DEFAULT_MAX_CONSECUTIVE_FAILURES)
          ) {
            return this.end(this.givenUp(error, failures));
          }
          idleRounds = 0;
          const base = kind === "throttled" ? this.backoff.throttledBaseMs : this.backoff.baseMs;
          // A dropped connection after progress is the normal resume path: reopen at once
          // (the rate limiter still spaces calls); repeated failures back off.
          delayMs = progressed ? 0 : backoffDelay(failures, base, this.backoff.maxMs, this.random);
        } else if (progressed) {
          // KVS ends every session after ~40-45 minutes: continue right away.
          idleRounds = 0;
          delayMs = 0;
        } else {
          // An idle stream: KVS ends an empty response after a few seconds (and a silent
          // connection is reopened after stallTimeoutMs). Neither counts as a failure.
          idleRounds++;
          delayMs = backoffDelay(
            idleRounds,
            this.backoff.idleBaseMs,
            this.backoff.idleMaxMs,
            this.random,
          );
        }
        this.emit({ type: "reconnecting", attempt: this.attempts, delayMs, reason });
        await sleep(delayMs, signal);
      }
    } catch (error) {
      if (!this.stopped) this.end(asError(error));
    }
  }

  private readonly random = (): number => (this.options.random ?? Math.random)();

  /** One GetMedia request, read to its end; never throws. */
  private async attempt(): Promise<AttemptOutcome> {
    const request = new AbortController();
    const stopSignal = this.stopController.signal;
    const onStop = () => request.abort(stopSignal.reason);
    stopSignal.addEventListener("abort", onStop, { once: true });
    const stallMs = this.options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    let stallTimer: NodeJS.Timeout | undefined;
    const armStallTimer = () => {
      clearTimeout(stallTimer);
      stallTimer = setTimeout(() => request.abort(new GetMediaStalledError(stallMs)), stallMs);
    };
    let body: AsyncIterable<Uint8Array> | null = null;
    let connecting = true;
    try {
      this.attempts++;
      if (this.start.type === "NOW") this.nowSince ??= new Date((this.options.now ?? Date.now)());
      const client = await this.options.getMediaClient(this.stream);
      if (stopSignal.aborted) return { kind: "stopped" };
      armStallTimer();
      const output = await client.send(
        new GetMediaCommand({ ...streamRefInput(this.stream), StartSelector: this.selector() }),
        { abortSignal: request.signal },
      );
      connecting = false;
      body = asByteStream(output.Payload);
      const reader = (this.options.createReader ?? defaultReader)();
      for await (const chunk of body) {
        armStallTimer();
        const failure = this.handle(reader.push(chunk), false);
        if (failure) return { kind: "failed", error: failure };
      }
      const failure = this.handle(reader.end(), true);
      return failure ? { kind: "failed", error: failure } : { kind: "ended" };
    } catch (error) {
      if (stopSignal.aborted) return { kind: "stopped" };
      const reason: unknown = request.signal.aborted ? request.signal.reason : error;
      return { kind: "failed", error: reason, connecting };
    } finally {
      clearTimeout(stallTimer);
      stopSignal.removeEventListener("abort", onStop);
      // Close the upstream connection whatever ended the attempt (a failure found in the bytes
      // leaves it open otherwise).
      if (!request.signal.aborted) request.abort(new Error("GetMedia attempt finished"));
      destroyStream(body);
    }
  }

  /**
   * Delivers fragments not delivered before; returns the error that should end this attempt.
   * `atEnd`: the events come from the end of the response, where a fragment without its closing
   * tags was cut off and is dropped (the reconnect sends it again). Mid-stream, a fragment is
   * only incomplete when KVS left the closing tags out, and it is delivered as it is.
   */
  private handle(events: ReaderEvent[], atEnd: boolean): Error | null {
    for (const event of events) {
      if (this.stopped) return null;
      if (event.type === "error") return asError(event.error);
      const fragment = event.fragment;
      if (fragment.errorId !== null || fragment.errorCode !== null) {
        return new GetMediaStreamError(
          fragment.errorId,
          fragment.errorCode,
          fragment.fragmentNumber,
        );
      }
      if ((atEnd && !fragment.complete) || fragment.fragmentNumber === null) continue;
      if (!/^\d{1,128}$/.test(fragment.fragmentNumber)) {
        return new Error(`GetMedia sent a malformed fragment number "${fragment.fragmentNumber}"`);
      }
      const number = BigInt(fragment.fragmentNumber);
      if (this.lastFragmentNumber !== null && number <= this.lastFragmentNumber) continue;
      if (this.startedBeforeNow(fragment)) continue;
      this.lastFragmentNumber = number;
      this.lastServerMs = fragment.serverTimestampMs ?? this.lastServerMs;
      this.resumeAfter = null;
      // Without a token, resuming from the previous one is still right: duplicates are skipped.
      if (fragment.continuationToken !== null) this.lastToken = fragment.continuationToken;
      this.deliveredInAttempt++;
      this.emit({ type: "fragment", fragment });
    }
    return null;
  }

  /**
   * The original selector until a fragment arrived, then the place after the last one. A NOW
   * session that ended before any fragment reopens at the server time it first asked, not at a
   * new NOW: a fragment persisted while no request was open would be skipped otherwise. That time
   * is the gateway's clock, so this assumes clocks kept in step (NTP), as KVS's own are.
   */
  private selector(): SdkStartSelector {
    if (this.resumeAfter !== null) {
      return { StartSelectorType: "SERVER_TIMESTAMP", StartTimestamp: this.resumeAfter };
    }
    if (this.lastToken !== null) {
      return { StartSelectorType: "CONTINUATION_TOKEN", ContinuationToken: this.lastToken };
    }
    if (this.lastFragmentNumber !== null) {
      return {
        StartSelectorType: "FRAGMENT_NUMBER",
        AfterFragmentNumber: this.lastFragmentNumber.toString(),
      };
    }
    if (this.nowSince !== null && this.attempts > 1) {
      return { StartSelectorType: "SERVER_TIMESTAMP", StartTimestamp: this.nowSince };
    }
    return toSdkStartSelector(this.start);
  }

  /**
   * The last fragment delivered can leave KVS (retention) while a stream is idle; resuming from
   * its token then gets ERROR 4000. The stream goes on: reopen at the server time just after
   * that fragment (fragments already delivered are skipped by number). Only once: a 4000 for a
   * time-based start is a real failure.
   */
  private resumeByTimeAfterGone(error: Error): boolean {
    if (!(error instanceof GetMediaStreamError)) return false;
    if (error.errorId !== FRAGMENT_NOT_FOUND_ERROR_ID) return false;
    // Only a resume that KVS refused outright: a 4000 after fragments of this very response is
    // KVS stopping the session, and ends it.
    if (this.deliveredInAttempt > 0 || this.lastServerMs === null) return false;
    if (this.resumeAfter !== null) return false;
    this.resumeAfter = new Date(this.lastServerMs + 1);
    return true;
  }

  /**
   * A SERVER_TIMESTAMP start begins with the fragment containing that instant, which a NOW
   * subscriber never asked for: only fragments that arrived after the first request count.
   */
  private startedBeforeNow(fragment: GetMediaFragment): boolean {
    if (this.nowSince === null || this.attempts < 2 || this.lastFragmentNumber !== null)
      return false;
    const server = fragment.serverTimestampMs;
    return server !== null && server < this.nowSince.getTime();
  }

  /** The error a session that stopped retrying ends with: typed if KVS said what was wrong. */
  private givenUp(last: Error, attempts: number): Error {
    if (last instanceof KvsError || last instanceof GetMediaStreamError) return last;
    const resume = this.lastToken ? ` Resume with continuation token ${this.lastToken}.` : "";
    return new UpstreamUnavailableError(
      `GetMedia failed ${attempts} times in a row (last: ${last.message}).${resume}`,
      { cause: last, code: last.name },
    );
  }

  private end(error: Error): void {
    if (this.stopped) return;
    this.emit({ type: "end", error });
    this.stop();
  }

  private emit(event: SessionEvent): void {
    if (!this.stopped) this.options.onEvent(event);
  }
}

function defaultReader(): FragmentReader {
  return new GetMediaReader();
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

function asByteStream(payload: unknown): AsyncIterable<Uint8Array> {
  if (payload !== null && typeof payload === "object" && Symbol.asyncIterator in payload) {
    return payload as AsyncIterable<Uint8Array>;
  }
  throw new Error("GetMedia returned no readable payload");
}

function destroyStream(body: unknown): void {
  if (body !== null && typeof body === "object" && "destroy" in body) {
    const destroy: unknown = body.destroy;
    if (typeof destroy === "function") destroy.call(body);
  }
}
