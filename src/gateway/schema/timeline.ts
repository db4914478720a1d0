// The recording timeline: `Stream.recordings` (continuous recordings and the gaps between them,
// paged) and `Stream.coverage` (recorded time per minute, hour or day of a time zone), both from
// ListFragments through the settled-window cache, so a camera UI's day bar costs KVS nothing once
// the day is settled.

import { invalid, validateIntRange, validateTimestampRange } from "../../kvs/core/validation.ts";
import { coverageBuckets, fillCoverage } from "../../kvs/timeline/coverage.ts";
import {
  type OpenRecording,
  type Recording,
  type RecordingScanState,
  scanRecordings,
} from "../../kvs/timeline/recordings.ts";
import { isTimeZone } from "../../kvs/timeline/zoned-time.ts";
import { builder } from "./builder.ts";
import { errorsOf } from "./errors.ts";
import { streamListing } from "./fragment-listing.ts";
import { connectionPage, decodeCursor, encodeCursor, pageArgs, pageSize } from "./pagination.ts";
import { StreamObject } from "./streams.ts";
import { TimeRangeInput, TimestampTypeEnum } from "./time.ts";

/** ListFragments calls one page of recordings may make; the page ends early past it, with a cursor. */
const RECORDINGS_PAGE_CALLS = 100;
const MAX_GAP_MS = 24 * 60 * 60_000;
const MAX_COVERAGE_RANGE_MS = 31 * 24 * 60 * 60_000;
const MAX_COVERAGE_BUCKETS = 1500;

interface GapShape {
  startMs: number;
  endMs: number;
}

const GapObject = builder.objectRef<GapShape>("RecordingGap").implement({
  description: "A stretch with no recorded media between two recordings.",
  fields: (t) => ({
    start: t.field({ type: "DateTime", resolve: (gap) => new Date(gap.startMs) }),
    end: t.field({ type: "DateTime", resolve: (gap) => new Date(gap.endMs) }),
    durationMs: t.int({ resolve: (gap) => gap.endMs - gap.startMs }),
  }),
});

const RecordingObject = builder.objectRef<Recording>("Recording").implement({
  description:
    "A continuous recording: fragments each starting within `maxGapMs` of the end of the ones before.",
  fields: (t) => ({
    start: t.field({
      type: "DateTime",
      description: "Its first fragment's (selected) timestamp.",
      resolve: (recording) => new Date(recording.startMs),
    }),
    end: t.field({
      type: "DateTime",
      description: "The end of its last fragment (timestamp + duration).",
      resolve: (recording) => new Date(recording.endMs),
    }),
    durationMs: t.int({ resolve: (recording) => recording.endMs - recording.startMs }),
    fragmentCount: t.exposeInt("fragmentCount"),
    sizeBytes: t.float({
      description: "Total fragment bytes (a Float: a long recording exceeds 32 bits).",
      resolve: (recording) => recording.sizeBytes,
    }),
    gapBefore: t.field({
      type: GapObject,
      nullable: true,
      description:
        "The gap between the previous recording in the range (on this page or an earlier one) and this one; null for the range's first recording.",
      resolve: (recording) =>
        recording.previousEndMs === null
          ? null
          : { startMs: recording.previousEndMs, endMs: recording.startMs },
    }),
  }),
});

const RecordingConnection = builder.connectionObject(
  { type: RecordingObject, name: "RecordingConnection" },
  { name: "RecordingEdge" },
);

const RECORDINGS_CURSOR = "recordings";

interface RecordingsCursor {
  y: string;
  g: number | null;
  lm: number;
  ln: string;
  o: [number, number, number, number, number] | null;
  p: number | null;
}

const isInt = (value: unknown): value is number => Number.isSafeInteger(value);

const isRecordingsCursor = (
  value: Record<string, unknown>,
): value is Record<string, unknown> & RecordingsCursor =>
  (value.y === "SERVER_TIMESTAMP" || value.y === "PRODUCER_TIMESTAMP") &&
  (value.g === null || isInt(value.g)) &&
  isInt(value.lm) &&
  typeof value.ln === "string" &&
  /^[0-9]{1,128}$/.test(value.ln) &&
  (value.p === null || isInt(value.p)) &&
  (value.o === null ||
    (Array.isArray(value.o) && value.o.length === 5 && value.o.every((n) => isInt(n))));

function encodeState(type: string, maxGapMs: number | null, state: RecordingScanState): string {
  const open = state.open;
  const cursor: RecordingsCursor = {
    y: type,
    g: maxGapMs,
    lm: state.lastMs,
    ln: state.lastNumber,
    o:
      open === null
        ? null
        : [open.startMs, open.endMs, open.fragmentCount, open.sizeBytes, open.lastDurationMs],
    p: state.previousEndMs,
  };
  return encodeCursor(RECORDINGS_CURSOR, { ...cursor });
}

function decodeState(cursor: RecordingsCursor): RecordingScanState {
  const open: OpenRecording | null =
    cursor.o === null
      ? null
      : {
          startMs: cursor.o[0],
          endMs: cursor.o[1],
          fragmentCount: cursor.o[2],
          sizeBytes: cursor.o[3],
          lastDurationMs: cursor.o[4],
        };
  return { lastMs: cursor.lm, lastNumber: cursor.ln, open, previousEndMs: cursor.p };
}

builder.objectField(StreamObject, "recordings", (t) =>
  t.field({
    type: RecordingConnection,
    nullable: true,
    description: [
      "The range's continuous recordings in order, with the gap before each (`gapBefore`), from ListFragments.",
      "Two fragments belong to one recording when the later starts within `maxGapMs` of the end (timestamp + duration) of the recording so far. Without `maxGapMs`, the allowance after each fragment is half its duration: arrival jitter stays below it and one missing fragment opens a gap.",
      `Settled windows of the stream (see the README's cache settings) are listed once per process and reused. A page stops early, with \`hasNextPage\` and a cursor to go on from, after ${RECORDINGS_PAGE_CALLS} ListFragments calls, so a week of footage is read across pages within the call budget. A page may then hold no recordings yet: follow \`endCursor\`.`,
    ].join("\n\n"),
    args: {
      range: t.arg({ type: TimeRangeInput, required: true }),
      timestampType: t.arg({ type: TimestampTypeEnum, defaultValue: "SERVER_TIMESTAMP" }),
      maxGapMs: t.arg.int({
        description: `Largest gap within one recording, 0 to ${MAX_GAP_MS} ms.`,
      }),
      ...pageArgs(t.arg),
    },
    errors: { types: errorsOf("ListFragments"), union: { name: "RecordingsResult" } },
    resolve: async (stream, args, context) => {
      const timestampType = args.timestampType ?? "SERVER_TIMESTAMP";
      const range = validateTimestampRange(args.range);
      const first = pageSize(args.first);
      const maxGapMs =
        args.maxGapMs === null || args.maxGapMs === undefined
          ? null
          : validateIntRange(args.maxGapMs, 0, MAX_GAP_MS, "maxGapMs");
      let state: RecordingScanState | null = null;
      if (args.after) {
        const cursor = decodeCursor(RECORDINGS_CURSOR, args.after, isRecordingsCursor);
        if (cursor.y !== timestampType || cursor.g !== maxGapMs) {
          throw invalid("after", "after is a cursor of a listing with other arguments");
        }
        state = decodeState(cursor);
      }
      const listing = streamListing(context, stream.arn, timestampType, { paced: true });
      const startMs = Math.max(range.start.getTime(), state?.lastMs ?? Number.NEGATIVE_INFINITY);
      const usedBefore = context.budget.used;
      const page = await scanRecordings(
        context.services.fragmentWindows.chunks(listing, startMs, range.end.getTime()),
        state,
        {
          timestampType,
          maxGapMs,
          limit: first,
          shouldPause: () => context.budget.used - usedBefore >= RECORDINGS_PAGE_CALLS,
        },
      );
      const edges = page.recordings.map(({ recording, after }) => ({
        cursor: encodeState(timestampType, maxGapMs, after),
        node: recording,
      }));
      return connectionPage(
        edges,
        page.resume !== null,
        page.resume === null ? null : encodeState(timestampType, maxGapMs, page.resume),
      );
    },
  }),
);

const CoverageUnitEnum = builder.enumType("CoverageBucketUnit", {
  values: ["MINUTE", "HOUR", "DAY"] as const,
});

interface CoverageShape {
  timeZone: string;
  buckets: Array<{
    startMs: number;
    endMs: number;
    recordedMs: number;
    fragmentCount: number;
    sizeBytes: number;
  }>;
}

const CoverageBucketObject = builder
  .objectRef<CoverageShape["buckets"][number]>("CoverageBucket")
  .implement({
    description:
      "One minute, hour or day of the range (the first and last cut to the range): how much of it is recorded.",
    fields: (t) => ({
      start: t.field({ type: "DateTime", resolve: (bucket) => new Date(bucket.startMs) }),
      end: t.field({
        type: "DateTime",
        description: "The bucket's last millisecond (inclusive).",
        resolve: (bucket) => new Date(bucket.endMs),
      }),
      recordedMs: t.exposeInt("recordedMs", {
        description:
          "Milliseconds of the bucket covered by fragments (their timestamp + duration).",
      }),
      ratio: t.float({
        description: "recordedMs over the bucket's length, 0 to 1.",
        resolve: (bucket) => bucket.recordedMs / (bucket.endMs + 1 - bucket.startMs),
      }),
      fragmentCount: t.exposeInt("fragmentCount", {
        description: "Fragments starting in the bucket.",
      }),
      sizeBytes: t.float({
        description: "Bytes of the fragments starting in the bucket.",
        resolve: (bucket) => bucket.sizeBytes,
      }),
    }),
  });

const CoverageObject = builder.objectRef<CoverageShape>("Coverage").implement({
  fields: (t) => ({
    timeZone: t.exposeString("timeZone"),
    buckets: t.field({ type: [CoverageBucketObject], resolve: (coverage) => coverage.buckets }),
  }),
});

builder.objectField(StreamObject, "coverage", (t) =>
  t.field({
    type: CoverageObject,
    nullable: true,
    description: `Recorded time, fragments and bytes per minute, hour or day of \`range\`, with days and hours of the IANA \`timeZone\` (e.g. "Europe/Berlin"): a day bar's data. At most ${MAX_COVERAGE_BUCKETS} buckets and 31 days. Settled windows come from the gateway's cache; a cold range costs about one ListFragments call per hour of footage (or per 1000 fragments), counted in the operation's budget.`,
    args: {
      range: t.arg({ type: TimeRangeInput, required: true }),
      bucket: t.arg({ type: CoverageUnitEnum, required: true }),
      timeZone: t.arg.string({ defaultValue: "UTC" }),
      timestampType: t.arg({ type: TimestampTypeEnum, defaultValue: "SERVER_TIMESTAMP" }),
    },
    errors: { types: errorsOf("ListFragments"), union: { name: "CoverageResult" } },
    resolve: async (stream, args, context) => {
      const timestampType = args.timestampType ?? "SERVER_TIMESTAMP";
      const timeZone = args.timeZone ?? "UTC";
      if (timeZone.length > 64 || !isTimeZone(timeZone)) {
        throw invalid("timeZone", "timeZone must be an IANA time zone name, e.g. Europe/Berlin");
      }
      const range = validateTimestampRange(args.range);
      const startMs = range.start.getTime();
      const endMs = range.end.getTime();
      if (endMs - startMs > MAX_COVERAGE_RANGE_MS) {
        throw invalid("range", "coverage covers at most 31 days per query");
      }
      const buckets = coverageBuckets(startMs, endMs, args.bucket, timeZone, MAX_COVERAGE_BUCKETS);
      if (buckets === undefined) {
        throw invalid(
          "bucket",
          `the range holds more than ${MAX_COVERAGE_BUCKETS} buckets; use a larger bucket or a shorter range`,
        );
      }
      const listing = streamListing(context, stream.arn, timestampType, { paced: true });
      await fillCoverage(
        buckets,
        context.services.fragmentWindows.chunks(listing, startMs, endMs),
        timestampType,
      );
      return { timeZone, buckets };
    },
  }),
);
