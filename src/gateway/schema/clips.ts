// Clips: `Stream.clip` and `clip(name|arn)` answer a signed, expiring download URL served by the
// gateway's own route (/clips), and the parts a long range is cut into so that each fits one
// GetClip. Arguments are checked as GetClip checks them, before any upstream call.

import type { ArgBuilder } from "@pothos/core";
import { type ClipPartPlan, planClipParts, snapToFragments } from "../../kvs/clips/parts.ts";
import { type ClipAssembly, type ClipGrant, TIMELAPSE_SPEED } from "../../kvs/clips/signing.ts";
import { NoDataRetentionError, ResourceNotFoundError } from "../../kvs/core/errors.ts";
import { allFragments, type TimestampType } from "../../kvs/core/fragments.ts";
import type { StreamDescription } from "../../kvs/core/streams.ts";
import { invalid, validateIntRange } from "../../kvs/core/validation.ts";
import { CLIP_DOWNLOAD_PATH, clipDownloadUrl } from "../clip-download-route.ts";
import type { GatewayContext } from "../context.ts";
import { urlHolder } from "../security/principal-limits.ts";
import { type BuilderTypes, builder } from "./builder.ts";
import { errorsOf } from "./errors.ts";
import { cachedListFragments } from "./fragment-listing.ts";
import { loadStream, StreamObject, streamArgsScopes, streamRefArgs } from "./streams.ts";
import { TimeRangeInput, TimestampTypeEnum } from "./time.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * What resolving a clip can fail with: it lists fragments (ListFragments' exceptions) and refuses
 * a stream without retention up front, as GetClip would (NoDataRetention). GetClip itself runs
 * only when the link is downloaded, so its codec errors are the download route's HTTP answers.
 */
const CLIP_ERRORS = [
  ...errorsOf("ListFragments"),
  ...errorsOf("GetClip").filter((error) => error === NoDataRetentionError),
];

interface ClipRangeShape {
  start: Date;
  end: Date;
}

interface ClipPartShape {
  url: string;
  range: ClipRangeShape;
  fragmentCount: number;
  sizeBytes: number;
}

interface ClipTimelapseShape {
  url: string;
  speed: number;
  durationMs: number;
}

interface ClipShape {
  url: string;
  timelapse: ClipTimelapseShape | null;
  expiresAt: Date;
  range: ClipRangeShape;
  timestampType: TimestampType;
  streamArn: string;
  fragmentCount: number;
  sizeBytes: number;
  parts: ClipPartShape[];
}

const ClipRangeObject = builder.objectRef<ClipRangeShape>("ClipRange").implement({
  description: "An inclusive range of instants on a clip's timeline.",
  fields: (t) => ({
    start: t.field({ type: "DateTime", resolve: (range) => range.start }),
    end: t.field({ type: "DateTime", resolve: (range) => range.end }),
  }),
});

const ClipPartObject = builder.objectRef<ClipPartShape>("ClipPart").implement({
  description:
    "A consecutive piece of a clip's range that fits one GetClip (at most 200 fragments and about 100 MB). The parts of a clip cover its range with every fragment in exactly one part.",
  fields: (t) => ({
    url: t.exposeString("url", {
      description: "Signed download URL of this part's MP4; expires with the clip's URL.",
    }),
    range: t.field({
      type: ClipRangeObject,
      resolve: (part) => part.range,
      description:
        "The part's range: from its first fragment's start to 1 ms before the next part's first fragment (the last part: to its last fragment's start).",
    }),
    fragmentCount: t.exposeInt("fragmentCount"),
    sizeBytes: t.exposeInt("sizeBytes", {
      nullable: true,
      description:
        "Sum of the fragments' stored sizes (ListFragments); the MP4 is of the same order.",
    }),
  }),
});

const ClipTimelapseObject = builder.objectRef<ClipTimelapseShape>("ClipTimelapse").implement({
  description:
    "A timelapse of a clip's range: only its video key frames (no audio), played `speed` times faster, as one fragmented MP4 made from the same GetClips as `Clip.url`.",
  fields: (t) => ({
    url: t.exposeString("url", {
      description: "Signed download URL of the timelapse; expires with the clip's URL.",
    }),
    speed: t.exposeInt("speed", {
      description: "How many seconds of the range one second of the timelapse shows.",
    }),
    durationMs: t.exposeInt("durationMs", {
      description:
        "The range's length divided by `speed`: about how long the timelapse plays (it starts at the range's first fragment and ends after its last key frame).",
    }),
  }),
});

const ClipObject = builder.objectRef<ClipShape>("Clip").implement({
  description:
    "A downloadable MP4 of a stream's archived media over a range: a signed, expiring link to the gateway's download route, which streams GetClip's answer.",
  fields: (t) => ({
    url: t.exposeString("url", {
      description:
        "Signed download URL of the whole range (a plain GET; usable in <a href> and <video src>), up to GetClip's 24 hours. A range that fits one GetClip is that GetClip's MP4 (the same URL as its one part). A longer one is stitched by the gateway from the parts' GetClips, one after another, into one fragmented MP4 streamed as it is made (no Content-Length; the first bytes come after the first part's GetClip), without re-encoding, on one continuous timeline with gaps kept.",
    }),
    timelapse: t.field({
      type: ClipTimelapseObject,
      nullable: true,
      resolve: (clip) => clip.timelapse,
      description: "The range's timelapse, when the query asked for one (`timelapse` argument).",
    }),
    expiresAt: t.field({ type: "DateTime", resolve: (clip) => clip.expiresAt }),
    range: t.field({
      type: ClipRangeObject,
      resolve: (clip) => clip.range,
      description:
        "The range the clip holds: the asked range narrowed to the fragments starting within it, from the first one's start to the last one's start (GetClip takes whole fragments). Asked ranges holding the same fragments give the same range and the same URLs, so their downloads share one GetClip.",
    }),
    timestampType: t.field({ type: TimestampTypeEnum, resolve: (clip) => clip.timestampType }),
    fragmentCount: t.exposeInt("fragmentCount", {
      description:
        "Fragments that start within the range (one per producer timestamp, as GetClip counts).",
    }),
    sizeBytes: t.exposeFloat("sizeBytes", {
      description: "Sum of those fragments' stored sizes in bytes.",
    }),
    parts: t.field({
      type: [ClipPartObject],
      resolve: (clip) => clip.parts,
      description:
        "The range cut into consecutive pieces that each fit one GetClip; one part when it all fits.",
    }),
  }),
});

interface ClipArgs {
  range: { start: Date; end: Date };
  timelapse?: { speed: number } | null | undefined;
  timestampType?: TimestampType | null | undefined;
  expiresIn?: number | null | undefined;
}

interface CheckedClipArgs {
  startMs: number;
  endMs: number;
  timestampType: TimestampType;
  expiresInSeconds: number;
  timelapseSpeed: number | undefined;
}

/** GetClip's own rules, answered as InvalidArgument before any upstream call. */
function checkClipArgs(args: ClipArgs, context: GatewayContext): CheckedClipArgs {
  const clips = context.services.clips;
  const startMs = args.range.start.getTime();
  const endMs = args.range.end.getTime();
  const timestampType = args.timestampType ?? "SERVER_TIMESTAMP";
  if (Number.isNaN(startMs) || Number.isNaN(endMs))
    throw invalid("range", "range needs a valid start and end");
  if (endMs <= startMs) throw invalid("range", "range.end must be later than range.start");
  if (endMs - startMs > DAY_MS)
    throw invalid("range", "range.end must be within 24 hours of range.start");
  if (timestampType === "SERVER_TIMESTAMP" && endMs > Date.now()) {
    throw invalid("range", "with SERVER_TIMESTAMP, range.end must be in the past");
  }
  const expiresInSeconds = validateIntRange(
    args.expiresIn ?? clips.defaultExpiresInSeconds,
    1,
    clips.maxExpiresInSeconds,
    "expiresIn",
  );
  const timelapseSpeed =
    args.timelapse === undefined || args.timelapse === null
      ? undefined
      : validateIntRange(
          args.timelapse.speed,
          TIMELAPSE_SPEED.min,
          TIMELAPSE_SPEED.max,
          "timelapse.speed",
        );
  return { startMs, endMs, timestampType, expiresInSeconds, timelapseSpeed };
}

/**
 * One instant per operation from which its links' expiries count: the links a query mints are
 * then equal whenever their media is, even when resolving them took a few milliseconds.
 */
const mintedAt = new WeakMap<GatewayContext, number>();

function operationMintedAt(context: GatewayContext): number {
  let at = mintedAt.get(context);
  if (at === undefined) {
    at = Date.now();
    mintedAt.set(context, at);
  }
  return at;
}

async function resolveClip(
  stream: StreamDescription,
  args: CheckedClipArgs,
  context: GatewayContext,
): Promise<ClipShape> {
  const clips = context.services.clips;
  const streamArn = stream.arn;
  // What GetClip would answer; without it ListFragments finds nothing and it reads as ResourceNotFound.
  if (stream.dataRetentionInHours === 0) {
    throw new NoDataRetentionError(
      `The stream ${stream.name} does not retain data (DataRetentionInHours is 0).`,
    );
  }
  const range = { startMs: args.startMs, endMs: args.endMs };
  const fragments = await allFragments(
    cachedListFragments(context, streamArn, args.timestampType, { paced: true }),
    range,
    context.signal === undefined ? {} : { signal: context.signal },
  );
  // Signed over the media's own bounds, not the asked ones: ranges a few milliseconds apart that
  // hold the same fragments get one link, so their downloads share one GetClip and cache entry.
  const whole = snapToFragments(range, fragments, args.timestampType);
  if (whole === undefined)
    throw new ResourceNotFoundError("No fragments found in the requested time range.");
  const plans = planClipParts(whole, fragments, args.timestampType, clips.partLimits);

  const expiresAtMs = operationMintedAt(context) + args.expiresInSeconds * 1000;
  // Without a known origin (no PUBLIC_URL, and no plausible Host header), the URL is relative.
  const origin = context.origin ?? "";
  const urlOf = (range: { startMs: number; endMs: number }, assembly?: ClipAssembly) => {
    const grant: ClipGrant = {
      streamArn,
      timestampType: args.timestampType,
      ...range,
      expiresAtMs,
      ...(assembly === undefined ? {} : { assembly }),
      // Downloads are capped per principal (security/principal-limits.ts).
      holder: urlHolder(context.limitKey),
    };
    return clipDownloadUrl(origin, clips.signer.sign(grant));
  };
  const parts = plans.map((plan: ClipPartPlan) => ({
    url: urlOf(plan),
    range: { start: new Date(plan.startMs), end: new Date(plan.endMs) },
    fragmentCount: plan.fragmentCount,
    sizeBytes: plan.sizeBytes,
  }));
  const speed = args.timelapseSpeed;
  return {
    // One part is one GetClip, already a complete MP4; more are stitched by the download route.
    url: plans.length === 1 ? urlOf(whole) : urlOf(whole, { kind: "whole" }),
    timelapse:
      speed === undefined
        ? null
        : {
            url: urlOf(whole, { kind: "timelapse", speed }),
            speed,
            durationMs: Math.round((args.endMs - args.startMs) / speed),
          },
    expiresAt: new Date(expiresAtMs),
    range: { start: new Date(whole.startMs), end: new Date(whole.endMs) },
    timestampType: args.timestampType,
    streamArn,
    fragmentCount: plans.reduce((sum, plan) => sum + plan.fragmentCount, 0),
    sizeBytes: plans.reduce((sum, plan) => sum + plan.sizeBytes, 0),
    parts,
  };
}

const ClipTimelapseInput = builder.inputType("ClipTimelapseInput", {
  description:
    "A timelapse: key frames only, retimed so that one second plays `speed` seconds of the range.",
  fields: (t) => ({
    speed: t.int({
      required: true,
      description: `From ${TIMELAPSE_SPEED.min} to ${TIMELAPSE_SPEED.max} (e.g. 60: an hour in a minute; 600: a ten-hour night in a minute). At most 30 frames per second are kept: at high speeds some key frames are dropped.`,
    }),
  }),
});

const CLIP_DESCRIPTION = [
  "A signed, expiring download URL for an MP4 of the stream's media over `range` (GetClip), and its parts when the range holds more than one GetClip can return.",
  "Checked as GetClip checks it, before any call to KVS: `range.end` later than `range.start` and within 24 hours of it, and in the past with SERVER_TIMESTAMP. Costs ListFragments calls (one per 1000 fragments, each counted in the operation's call budget) to find the parts; GetClip itself runs when a URL is fetched. A stream that keeps no data (DataRetentionInHours 0) answers NoDataRetention without any ListFragments call. Null, with an UPSTREAM_CALL_BUDGET_EXCEEDED error, when the operation has spent its KVS call budget: the rest of the operation is still answered.",
  `The URL points at this gateway's ${CLIP_DOWNLOAD_PATH} route; it is refused (HTTP 403) once expired or if any of its parameters was changed.`,
].join("\n\n");

function clipArgs(arg: ArgBuilder<BuilderTypes>) {
  return {
    range: arg({ type: TimeRangeInput, required: true }),
    timestampType: arg({ type: TimestampTypeEnum, defaultValue: "SERVER_TIMESTAMP" }),
    expiresIn: arg.int({
      description:
        "Seconds the URLs stay valid (default 3600; at most the gateway's configured maximum, 7 days by default).",
    }),
    timelapse: arg({
      type: ClipTimelapseInput,
      description: "Also sign a timelapse of the range (`Clip.timelapse`).",
    }),
  };
}

builder.objectField(StreamObject, "clip", (t) =>
  t.field({
    type: ClipObject,
    nullable: true,
    description: CLIP_DESCRIPTION,
    args: clipArgs(t.arg),
    errors: { types: CLIP_ERRORS, union: { name: "StreamClipResult" } },
    resolve: (stream, args, context) => resolveClip(stream, checkClipArgs(args, context), context),
  }),
);

builder.queryField("clip", (t) =>
  t.field({
    type: ClipObject,
    nullable: true,
    description: `${CLIP_DESCRIPTION}\n\nThe stream is given by \`name\` or \`arn\` (exactly one).`,
    args: { ...streamRefArgs(t.arg), ...clipArgs(t.arg) },
    authScopes: streamArgsScopes,
    errors: {
      types: [...errorsOf("DescribeStream"), ...CLIP_ERRORS],
      union: { name: "ClipResult" },
    },
    resolve: async (_root, args, context) => {
      const checked = checkClipArgs(args, context);
      const stream = await loadStream(args, context);
      return resolveClip(stream, checked, context);
    },
  }),
);
