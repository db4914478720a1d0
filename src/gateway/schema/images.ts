// Stream.images: thumbnails over a range, one per sampling point, as signed, expiring links to the
// gateway's /images route (GetImages through src/kvs/images). Arguments are checked before any
// upstream call; a range is cut into GetImages pages of at most 25 points and 300 s, each fetched
// once and shared through the image cache by the query and the links.
import { NoDataRetentionError } from "../../kvs/core/errors.ts";
import { invalid, validateIntRange } from "../../kvs/core/validation.ts";
import {
  IMAGES_MAX_HEIGHT,
  IMAGES_MAX_WIDTH,
  IMAGES_MIN_SAMPLING_INTERVAL_MS,
  IMAGES_PAGE_SIZE,
  type ImageFormat,
  planImages,
  pointTimestampMs,
  windowOf,
  windowsSpanned,
} from "../../kvs/images/plan.ts";
import type { ImageErrorCode } from "../../kvs/images/upstream.ts";
import { imageAt } from "../../kvs/images/windows.ts";
import { imageUrl } from "../image-route.ts";
import { builder } from "./builder.ts";
import { errorsOf } from "./errors.ts";
import { connectionPage, decodeCursor, encodeCursor } from "./pagination.ts";
import { StreamObject } from "./streams.ts";
import { TimeRangeInput, TimestampTypeEnum } from "./time.ts";

const MAX_PAGE_SIZE = 100;

interface StreamImageShape {
  timestamp: Date;
  url: string | null;
  error: ImageErrorCode | null;
}

const ImageFormatEnum = builder.enumType("ImageFormat", {
  values: {
    JPEG: { description: "image/jpeg, with `quality`." },
    PNG: { description: "image/png (lossless; `quality` does not apply)." },
  } as const,
});

const ImageErrorEnum = builder.enumType("ImageError", {
  description: "Why a sampling point has no picture (GetImages' per-image Error).",
  values: {
    NO_MEDIA: {
      description: "No media was recorded at this instant (a gap, or outside the recording).",
    },
    MEDIA_ERROR: {
      description: "The media there gives no picture (audio only, or it could not be decoded).",
    },
  } as const,
});

const StreamImageObject = builder.objectRef<StreamImageShape>("StreamImage").implement({
  description: "The picture at one sampling point: a link to it, or why there is none.",
  fields: (t) => ({
    timestamp: t.field({
      type: "DateTime",
      resolve: (image) => image.timestamp,
      description: "The sampling point.",
    }),
    url: t.exposeString("url", {
      nullable: true,
      description:
        "Signed, expiring link to the picture (a plain GET, usable in <img src>), from the key frame at or before `timestamp`. Null when `error` is set.",
    }),
    error: t.field({ type: ImageErrorEnum, nullable: true, resolve: (image) => image.error }),
  }),
});

const StreamImageConnection = builder.connectionObject(
  { type: StreamImageObject, name: "StreamImageConnection" },
  { name: "StreamImageEdge" },
);

const IMAGES_CURSOR = "images";

interface ImagesCursor {
  /** The grid point of the edge. */
  i: number;
  /** Grid origin and interval: a cursor is only valid on the grid it came from. */
  o: number;
  v: number;
}

const isImagesCursor = (
  value: Record<string, unknown>,
): value is Record<string, unknown> & ImagesCursor =>
  Number.isSafeInteger(value.i) && Number.isSafeInteger(value.o) && Number.isSafeInteger(value.v);

builder.objectField(StreamObject, "images", (t) =>
  t.field({
    type: StreamImageConnection,
    nullable: true,
    description: [
      "Thumbnails of the stream over `range`: one per sampling point (`range.start`, then every `samplingIntervalMs` up to `range.end`), each the key frame at or before the point, as a signed, expiring link to this gateway's /images route, or a typed `error` (NO_MEDIA, MEDIA_ERROR) for a point without a picture.",
      `Checked before any call to KVS: samplingIntervalMs at least ${IMAGES_MIN_SAMPLING_INTERVAL_MS}; width and height together (1-${IMAGES_MAX_WIDTH} × 1-${IMAGES_MAX_HEIGHT}) or neither (the source size); quality 1-100 (JPEG); a range that the operation's KVS call budget can serve (one GetImages per ${IMAGES_PAGE_SIZE} points or per 300 s).`,
      "Costs one GetImages per page of up to 25 points (each counted in the operation's call budget), shared with every other query and link for the same pictures through the gateway's image cache: a strip loaded by many viewers costs one GetImages per 25 images. The range is asked from one fragment duration before `range.start` (KVS may drop the first image otherwise); points before `range.start` are not returned. Forward paging (`first`, at most 100, and `after`).",
    ].join("\n\n"),
    args: {
      range: t.arg({ type: TimeRangeInput, required: true }),
      timestampType: t.arg({ type: TimestampTypeEnum, defaultValue: "SERVER_TIMESTAMP" }),
      samplingIntervalMs: t.arg.int({
        required: true,
        description: `At least ${IMAGES_MIN_SAMPLING_INTERVAL_MS}.`,
      }),
      format: t.arg({ type: ImageFormatEnum, defaultValue: "JPEG" }),
      width: t.arg.int({
        description: `Pixels, 1-${IMAGES_MAX_WIDTH}; with height (the picture is stretched to the size).`,
      }),
      height: t.arg.int({ description: `Pixels, 1-${IMAGES_MAX_HEIGHT}; with width.` }),
      quality: t.arg.int({ description: "JPEG quality 1-100 (default 80)." }),
      expiresIn: t.arg.int({
        description:
          "Seconds the links stay valid (default 3600; at most the configured maximum, a day by default); from 60 on, the expiry is rounded up to the next whole minute so reloads within a minute get the same links.",
      }),
      first: t.arg.int({
        defaultValue: IMAGES_PAGE_SIZE,
        description: `Page size, 1 to ${MAX_PAGE_SIZE}.`,
      }),
      after: t.arg.string(),
    },
    errors: { types: errorsOf("GetImages"), union: { name: "StreamImagesResult" } },
    resolve: async (stream, args, context) => {
      const images = context.services.images;
      const first = validateIntRange(args.first ?? IMAGES_PAGE_SIZE, 1, MAX_PAGE_SIZE, "first");
      const expiresInSeconds = validateIntRange(
        args.expiresIn ?? images.defaultExpiresInSeconds,
        1,
        images.maxExpiresInSeconds,
        "expiresIn",
      );
      const plan = planImages(
        stream.arn,
        args.timestampType ?? "SERVER_TIMESTAMP",
        {
          startMs: args.range.start.getTime(),
          endMs: args.range.end.getTime(),
          samplingIntervalMs: args.samplingIntervalMs,
          format: (args.format ?? "JPEG") satisfies ImageFormat,
          width: args.width,
          height: args.height,
          quality: args.quality,
        },
        images.startOffsetMs,
      );
      const { grid } = plan;
      const windows = windowsSpanned(grid, plan.first, plan.last);
      if (windows > context.budget.limit) {
        throw invalid(
          "range",
          `the range needs ${windows} GetImages calls, more than the ${context.budget.limit} one operation may make; ask for a shorter range or a longer samplingIntervalMs`,
        );
      }
      let start = plan.first;
      if (args.after) {
        const cursor = decodeCursor(IMAGES_CURSOR, args.after, isImagesCursor);
        if (cursor.o !== grid.originMs || cursor.v !== grid.intervalMs || cursor.i < plan.first) {
          throw invalid("after", "after is a cursor of another range or samplingIntervalMs");
        }
        start = cursor.i + 1;
      }
      // What GetImages would answer, without calling it.
      if (stream.dataRetentionInHours === 0) {
        throw new NoDataRetentionError(
          `The stream ${stream.name} does not retain data (DataRetentionInHours is 0).`,
        );
      }
      const end = Math.min(plan.last, start + first - 1);
      // Rounded up to the minute: a strip reloaded within a minute gets the very same links, so
      // browsers answer them from their own cache (Cache-Control) without asking at all.
      const exactExpiryMs = images.signer.now() + expiresInSeconds * 1000;
      const expiresAtMs =
        expiresInSeconds >= 60 ? Math.ceil(exactExpiryMs / 60_000) * 60_000 : exactExpiryMs;
      const origin = context.origin ?? "";
      const edges = [];
      for (let point = start; point <= end; point++) {
        const { images: page } = await images.windows.get(windowOf(grid, point), () =>
          context.budget.spend(),
        );
        const timestampMs = pointTimestampMs(grid, point);
        const image = imageAt(page, timestampMs, grid.intervalMs);
        const node: StreamImageShape = {
          timestamp: new Date(timestampMs),
          url:
            image?.content === undefined
              ? null
              : imageUrl(origin, images, { grid, point, expiresAtMs }, timestampMs),
          error: image?.content === undefined ? (image?.error ?? "NO_MEDIA") : null,
        };
        const cursor: ImagesCursor = { i: point, o: grid.originMs, v: grid.intervalMs };
        edges.push({ cursor: encodeCursor(IMAGES_CURSOR, { ...cursor }), node });
      }
      return connectionPage(edges, end < plan.last);
    },
  }),
);
