// Subscription.fragments: live fragment metadata read from GetMedia, through the process-wide
// fan-out (one upstream session per stream for start NOW) with resume by continuation token.
// The error types only GetMedia produces are in getmedia-errors.ts.

import { wrapErrorIfMatches } from "@pothos/plugin-errors";
import { ResourceNotFoundError, UpstreamUnavailableError } from "../../kvs/core/errors.ts";
import type { StreamArnRef } from "../../kvs/core/stream-arns.ts";
import { invalid, type StreamRef, validateFragmentNumber } from "../../kvs/core/validation.ts";
import {
  GetMediaStreamError,
  ShuttingDownError,
  SlowSubscriberError,
} from "../../kvs/getmedia/errors.ts";
import {
  DEFAULT_MAX_PRIVATE_SESSIONS_PER_STREAM,
  DEFAULT_REPLAY_BUFFER_ENTRIES,
} from "../../kvs/getmedia/fanout.ts";
import type { StartSelector } from "../../kvs/getmedia/start.ts";
import {
  DEFAULT_SUBSCRIBER_BUFFER,
  type FragmentFeedEvent,
} from "../../kvs/getmedia/subscriber.ts";
import type { FragmentTag, FragmentTrack, GetMediaFragment } from "../../kvs/getmedia/types.ts";

import { endAtExpiry } from "../security/credential-expiry.ts";
import { DEFAULT_PRINCIPAL_LIMITS } from "../security/principal-limits.ts";
import { forbiddenStream, mayRead, streamNameOfArgs } from "../security/stream-access.ts";
import { builder } from "./builder.ts";
import { errorsOf, graphqlErrorTypeName } from "./errors.ts";
import { streamRefArgs, streamRefFromArgs } from "./streams.ts";

const CONTINUATION_TOKEN = /^[a-zA-Z0-9_.-]{1,128}$/;

/** A fragment as delivered by a session: it always has its number. */
type LiveFragment = GetMediaFragment & { fragmentNumber: string };

const StartTypeEnum = builder.enumType("FragmentStartType", {
  description: "Where a live fragment subscription starts (GetMedia's StartSelectorType).",
  values: {
    NOW: {
      description:
        "With the next fragment to arrive. Shared by all NOW subscribers of the stream, by name or by ARN.",
    },
    EARLIEST: { description: "With the oldest fragment the stream retains." },
    FRAGMENT_NUMBER: { description: "With the fragment after `afterFragmentNumber`." },
    SERVER_TIMESTAMP: { description: "With the fragment holding `timestamp` (server time)." },
    PRODUCER_TIMESTAMP: { description: "With the fragment holding `timestamp` (producer time)." },
    CONTINUATION_TOKEN: {
      description:
        "After the fragment whose `continuationToken` is given: resumes an earlier subscription.",
    },
  } as const,
});

const StartInput = builder.inputType("FragmentStart", {
  description:
    "The start of a fragment subscription. Give `afterFragmentNumber` with FRAGMENT_NUMBER, `timestamp` with SERVER_TIMESTAMP or PRODUCER_TIMESTAMP, `continuationToken` with CONTINUATION_TOKEN, and nothing else.",
  fields: (t) => ({
    type: t.field({ type: StartTypeEnum, required: true }),
    afterFragmentNumber: t.string(),
    timestamp: t.field({ type: "DateTime" }),
    continuationToken: t.string(),
  }),
});

const TrackKindEnum = builder.enumType("TrackKind", {
  values: { VIDEO: { value: "video" }, AUDIO: { value: "audio" }, OTHER: { value: "other" } },
});

const TrackObject = builder.objectRef<FragmentTrack>("FragmentTrack").implement({
  description: "A track of the fragment's MKV document (its Tracks element).",
  fields: (t) => ({
    number: t.exposeInt("number"),
    kind: t.field({ type: TrackKindEnum, resolve: (track) => track.type }),
    codecId: t.exposeString("codecId", { description: 'e.g. "V_MPEG4/ISO/AVC", "A_AAC".' }),
    blockCount: t.exposeInt("blockCount", { description: "This track's frames in the fragment." }),
    keyframeCount: t.exposeInt("keyframeCount", {
      description:
        "This track's key frames in the fragment (a video track's random access points; audio frames all count as key frames).",
    }),
    codecPrivateLength: t.exposeInt("codecPrivateLength", {
      description: "Bytes of CodecPrivate (0 when absent).",
    }),
    width: t.exposeInt("width", { nullable: true }),
    height: t.exposeInt("height", { nullable: true }),
    samplingFrequency: t.exposeFloat("samplingFrequency", { nullable: true }),
    channels: t.exposeInt("channels", { nullable: true }),
  }),
});

const TagPositionEnum = builder.enumType("FragmentTagPosition", {
  values: {
    PRE_CLUSTER: { value: "pre-cluster" },
    POST_CLUSTER: { value: "post-cluster" },
  },
});

const TagObject = builder.objectRef<FragmentTag>("FragmentTag").implement({
  description: "A producer (non-AWS) MKV tag carried by the fragment.",
  fields: (t) => ({
    name: t.exposeString("name"),
    value: t.exposeString("value", { nullable: true }),
    position: t.field({ type: TagPositionEnum, resolve: (tag) => tag.position }),
  }),
});

const dateOrNull = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

const FragmentEventObject = builder.objectRef<LiveFragment>("FragmentEvent").implement({
  description:
    "A fragment that just arrived on the stream, from the GetMedia tags and its MKV structure. Block payloads are not sent.",
  fields: (t) => ({
    fragmentNumber: t.exposeString("fragmentNumber", {
      description: "Up to 128 decimal digits, increasing along the stream.",
    }),
    serverTimestamp: t.field({
      type: "DateTime",
      nullable: true,
      description: "When KVS received the fragment (AWS_KINESISVIDEO_SERVER_TIMESTAMP).",
      resolve: (fragment) => dateOrNull(fragment.serverTimestampMs),
    }),
    producerTimestamp: t.field({
      type: "DateTime",
      nullable: true,
      description:
        "The producer's time of the fragment (AWS_KINESISVIDEO_PRODUCER_TIMESTAMP). Relative producer clocks give instants near 1970.",
      resolve: (fragment) => dateOrNull(fragment.producerTimestampMs),
    }),
    millisBehindNow: t.exposeFloat("millisBehindNow", {
      nullable: true,
      description:
        "How far this fragment is behind the newest one on the stream, in milliseconds (AWS_KINESISVIDEO_MILLIS_BEHIND_NOW).",
    }),
    continuationToken: t.exposeString("continuationToken", {
      nullable: true,
      description:
        "Subscribe with start { type: CONTINUATION_TOKEN, continuationToken } to continue after this fragment.",
    }),
    complete: t.exposeBoolean("complete", {
      description:
        "Both closing tags (MILLIS_BEHIND_NOW, CONTINUATION_TOKEN) arrived. Fragments cut off by a dropped connection are never delivered; they come again after the reconnect.",
    }),
    tracks: t.field({ type: [TrackObject], resolve: (fragment) => fragment.tracks }),
    timecodeScaleNs: t.exposeFloat("timecodeScaleNs", {
      description: "Nanoseconds per cluster timecode tick (usually 1,000,000).",
    }),
    clusterTimecodes: t.exposeFloatList("clusterTimecodes", {
      description: "The producer's Cluster timecodes, in ticks; may be relative and may reset.",
    }),
    blockCount: t.exposeInt("blockCount", {
      description: "Frames (SimpleBlocks and Blocks) of all tracks; per track in `tracks`.",
    }),
    keyframeCount: t.exposeInt("keyframeCount", {
      description:
        "Key frames of all tracks (audio frames all count); a video track's own count is in `tracks`.",
    }),
    byteSize: t.exposeInt("byteSize", { description: "Bytes of the fragment's MKV document." }),
    durationMs: t.exposeFloat("durationMs", {
      nullable: true,
      description: "From the first Cluster's start to the end of its last frame.",
    }),
    tags: t.field({
      type: [TagObject],
      description: "Producer tags (not AWS_KINESISVIDEO_*), in stream order.",
      resolve: (fragment) => fragment.otherTags,
    }),
  }),
});

function startFromInput(input: {
  type: StartSelector["type"];
  afterFragmentNumber?: string | null;
  timestamp?: Date | null;
  continuationToken?: string | null;
}): StartSelector {
  const given = {
    afterFragmentNumber: input.afterFragmentNumber ?? null,
    timestamp: input.timestamp ?? null,
    continuationToken: input.continuationToken ?? null,
  };
  const needs: keyof typeof given | null =
    input.type === "FRAGMENT_NUMBER"
      ? "afterFragmentNumber"
      : input.type === "SERVER_TIMESTAMP" || input.type === "PRODUCER_TIMESTAMP"
        ? "timestamp"
        : input.type === "CONTINUATION_TOKEN"
          ? "continuationToken"
          : null;
  for (const key of Object.keys(given) as Array<keyof typeof given>) {
    if (key === needs && given[key] === null) {
      throw invalid(`start.${key}`, `start.${key} is required with start.type ${input.type}`);
    }
    if (key !== needs && given[key] !== null) {
      throw invalid(`start.${key}`, `start.${key} is not used with start.type ${input.type}`);
    }
  }
  switch (input.type) {
    case "NOW":
    case "EARLIEST":
      return { type: input.type };
    case "FRAGMENT_NUMBER":
      return {
        type: input.type,
        afterFragmentNumber: validateFragmentNumber(
          given.afterFragmentNumber ?? "",
          "start.afterFragmentNumber",
        ),
      };
    case "SERVER_TIMESTAMP":
    case "PRODUCER_TIMESTAMP":
      return { type: input.type, timestamp: given.timestamp ?? new Date(Number.NaN) };
    case "CONTINUATION_TOKEN": {
      const token = given.continuationToken ?? "";
      if (!CONTINUATION_TOKEN.test(token)) {
        throw invalid(
          "start.continuationToken",
          "start.continuationToken must be 1 to 128 characters of a-z, A-Z, 0-9, '_', '.' and '-'",
        );
      }
      return { type: input.type, continuationToken: token };
    }
  }
}

/** What a subscriber can be told besides fragments: GetMedia's failures and our own three. */
const EVENT_ERRORS = [
  ...errorsOf("GetMedia"),
  GetMediaStreamError,
  SlowSubscriberError,
  ShuttingDownError,
];

type EventError = InstanceType<(typeof EVENT_ERRORS)[number]>;

// A union declared by hand rather than through the errors plugin's `errors` option: the plugin
// wraps `subscribe` in an async generator, whose return() waits for the pending next() — so an
// unsubscribe on an idle stream would never reach the session and close the upstream.
const FragmentSubscriptionEventUnion = builder.unionType("FragmentSubscriptionEvent", {
  description:
    "A fragment, or the failure that ends the subscription (always the last event): GetMedia's errors, GetMediaError (ERROR_ID tags), SlowSubscriber or ShuttingDown (the gateway is stopping).",
  types: [FragmentEventObject, ...EVENT_ERRORS],
  resolveType: (value) => errorTypeNames.get(value) ?? "FragmentEvent",
});

/** GraphQL type name of each error event handed to graphql-js (they are wrapped, see eventOf). */
const errorTypeNames = new WeakMap<object, string>();

function typeNameOf(error: EventError): string {
  if (error instanceof SlowSubscriberError) return "SlowSubscriber";
  if (error instanceof ShuttingDownError) return "ShuttingDown";
  if (error instanceof GetMediaStreamError) return "GetMediaError";
  return graphqlErrorTypeName(error);
}

function isEventError(error: unknown): error is EventError {
  return EVENT_ERRORS.some((ErrorClass) => error instanceof ErrorClass);
}

/** One error event, for a subscription refused before it started. */
async function* refused(error: EventError): AsyncGenerator<FragmentFeedEvent> {
  yield { type: "error", error };
}

function eventOf(event: FragmentFeedEvent): LiveFragment | EventError {
  if (event.type === "error") {
    // A failure outside GetMedia's model still reaches the client typed.
    const error = isEventError(event.error)
      ? event.error
      : new UpstreamUnavailableError(event.error.message, { cause: event.error });
    // graphql-js treats a resolved Error as a thrown one. The errors plugin's wrapper (a proxy
    // that reads through to the error) is not an Error to it.
    const wrapped = wrapErrorIfMatches(error, EVENT_ERRORS) as EventError;
    errorTypeNames.set(wrapped, typeNameOf(error));
    return wrapped;
  }
  const { fragment } = event;
  if (fragment.fragmentNumber === null) throw new Error("a live fragment without a number");
  return { ...fragment, fragmentNumber: fragment.fragmentNumber };
}

/**
 * The object every subscriber of a session receives for this event: the fragment, shared by the
 * fan-out. FragmentEvent's fields read only the fragment (nothing of the principal or context),
 * so subscribers selecting the same fields can be given one execution of it
 * (shared-subscription-events.ts). Error events are per subscriber: undefined.
 */
export function sharedFragmentEvent(event: unknown): object | undefined {
  if (typeof event !== "object" || event === null) return undefined;
  const feed = event as Partial<FragmentFeedEvent>;
  return feed.type === "fragment" && feed.fragment ? feed.fragment : undefined;
}

builder.subscriptionField("fragments", (t) =>
  t.field({
    type: FragmentSubscriptionEventUnion,
    description: [
      "Live fragment metadata of a stream, read from GetMedia: one FragmentEvent per fragment, in fragment-number order, each exactly once.",
      "All subscribers starting at NOW on a stream share one upstream GetMedia session in the gateway, whether they name the stream by `name` or by `arn`: a name is resolved to the stream's ARN first (DescribeStream, remembered for a minute), and sessions are keyed and opened by ARN. Other starts get their own session. A stream that does not exist ends the subscription with ResourceNotFound. The session resumes from the last continuation token after dropped connections, KVS session ends, throttling and 5xx (exponential backoff with jitter, at most 5 GetMedia calls per second per stream), without missing or repeating a fragment. An idle stream keeps the subscription open. The upstream request is closed as soon as its last subscriber leaves.",
      `ConnectionLimitExceeded: KVS allows 3 concurrent GetMedia connections per stream. Each gateway process keeps one for the shared NOW session and opens at most ${DEFAULT_MAX_PRIVATE_SESSIONS_PER_STREAM} sessions per stream for other starts by default (gateway option getMedia.maxPrivateSessionsPerStream); a subscription past that is refused at once with ConnectionLimitExceeded (retryable, requestId null) without calling KVS. When KVS itself refuses (other consumers or gateway processes hold the stream's connections), the gateway retries with backoff and ends the subscription with KVS's ConnectionLimitExceeded if the refusals persist. Each principal may hold only its share of a stream's private sessions (${DEFAULT_PRINCIPAL_LIMITS.maxPrivateSessionsPerStream} by default, MAX_PRIVATE_GETMEDIA_SESSIONS_PER_PRINCIPAL); past it the subscription is refused the same way, at once, with a message saying so.`,
      `Resumes near the live edge: the shared NOW session remembers its last ${DEFAULT_REPLAY_BUFFER_ENTRIES} fragments by default (gateway option getMedia.replayBufferEntries). A CONTINUATION_TOKEN or FRAGMENT_NUMBER start naming one of them (e.g. the token of a SlowSubscriber event) is sent the fragments after it from there and then the live ones, each once and in order, without a GetMedia session of its own; any other resume gets a private session.`,
      `An error event is always the last one. Arguments are checked before KVS is called (InvalidArgument). SlowSubscriber: each subscriber may fall a bounded number of events behind (${DEFAULT_SUBSCRIBER_BUFFER} by default, gateway option getMedia.subscriberBuffer; the event's \`bufferSize\` is the value in force); past that it is dropped with SlowSubscriber (after the events it was sent), so it cannot stall the others or grow the gateway's memory.`,
    ].join("\n\n"),
    args: {
      ...streamRefArgs(t.arg),
      start: t.arg({ type: StartInput, defaultValue: { type: "NOW" } }),
    },
    subscribe: async (_root, args, context): Promise<AsyncIterable<FragmentFeedEvent>> => {
      let stream: StreamArnRef;
      let start: StartSelector;
      try {
        const ref: StreamRef = streamRefFromArgs(args);
        // Checked at subscribe time, before the name is resolved: a forbidden stream is refused
        // alike whether it exists or not.
        if (!mayRead(context.principal, streamNameOfArgs(args))) throw forbiddenStream();
        start = startFromInput(args.start ?? { type: "NOW" });
        // Sessions are keyed on the ARN, so a stream named two ways still shares one session.
        stream = await context.services.streamArns.resolve(ref, (named) =>
          context.streams.load(named),
        );
      } catch (error) {
        if (isEventError(error)) return refused(error);
        throw error;
      }
      return endAtExpiry(
        // The principal's share of the stream's private sessions (a NOW start shares one).
        context.services.getMedia.subscribe(stream, start, context.limitKey),
        context.principal.expiresAtMs,
      );
    },
    resolve: (event: FragmentFeedEvent, args, context) => {
      // A remembered name whose stream is gone (deleted, perhaps made again): ask afresh next time.
      if (event.type === "error" && event.error instanceof ResourceNotFoundError && args.name) {
        context.services.streamArns.forget(args.name);
      }
      return eventOf(event);
    },
  }),
);
