// How the gateway turns a thumbnail request into GetImages calls, checked before any call:
// SamplingInterval at least 200 ms, width and height both or neither (1-3840 × 1-2160), JPEG
// quality 1-100, range end after its start.
//
// Sampling points lie on a grid: origin, origin + interval, … The origin is the asked start moved
// back by at least one fragment duration (`startOffsetMs`, rounded up to whole intervals so the
// points kept stay start, start + interval, …): KVS users report the first image of a range
// missing unless the start is moved back by one fragment, so the gateway asks from earlier and
// drops the points before the asked start. The grid is cut into windows of at most 25 points
// spanning at most 300 s (GetImages' page size and range limit); each window is one GetImages
// call, fixed by the grid alone, so an image link names its window and a cache miss re-asks
// exactly that page.
import type { TimestampType } from "../core/fragments.ts";
import { invalid, validateIntRange } from "../core/validation.ts";

export const IMAGES_MAX_RANGE_MS = 300_000;
export const IMAGES_MIN_SAMPLING_INTERVAL_MS = 200;
/** GetImages returns at most 25 images per page. */
export const IMAGES_PAGE_SIZE = 25;
export const IMAGES_MAX_WIDTH = 3840;
export const IMAGES_MAX_HEIGHT = 2160;
export const DEFAULT_JPEG_QUALITY = 80;

export type ImageFormat = "JPEG" | "PNG";

/** What the pictures look like: one GetImages' Format, FormatConfig and size. */
export interface ImageLook {
  format: ImageFormat;
  /** Undefined: the source size. */
  width: number | undefined;
  height: number | undefined;
  /** JPEGQuality (PNG ignores it; kept at the default then so equal looks share a cache). */
  quality: number;
}

/** The sampling grid of a request, shared by every window and link made from it. */
export interface ImageGrid {
  streamArn: string;
  timestampType: TimestampType;
  /** Epoch ms of point 0. */
  originMs: number;
  intervalMs: number;
  look: ImageLook;
}

export interface ImageWindow {
  grid: ImageGrid;
  index: number;
}

export interface ImagesArgs {
  startMs: number;
  endMs: number;
  samplingIntervalMs: number;
  format: ImageFormat;
  width?: number | null | undefined;
  height?: number | null | undefined;
  quality?: number | null | undefined;
}

/** The points of the asked range on the grid: indexes `first` to `last` inclusive. */
export interface ImagePlan {
  grid: ImageGrid;
  first: number;
  last: number;
}

export function checkImageLook(
  args: Pick<ImagesArgs, "format" | "width" | "height" | "quality">,
): ImageLook {
  const width = args.width ?? undefined;
  const height = args.height ?? undefined;
  if ((width === undefined) !== (height === undefined)) {
    throw invalid(
      "width",
      "width and height must be given together (or neither, for the source size)",
    );
  }
  if (width !== undefined) validateIntRange(width, 1, IMAGES_MAX_WIDTH, "width");
  if (height !== undefined) validateIntRange(height, 1, IMAGES_MAX_HEIGHT, "height");
  const quality = validateIntRange(args.quality ?? DEFAULT_JPEG_QUALITY, 1, 100, "quality");
  return {
    format: args.format,
    width,
    height,
    quality: args.format === "PNG" ? DEFAULT_JPEG_QUALITY : quality,
  };
}

export function planImages(
  streamArn: string,
  timestampType: TimestampType,
  args: ImagesArgs,
  startOffsetMs: number,
): ImagePlan {
  const look = checkImageLook(args);
  if (
    !Number.isSafeInteger(args.samplingIntervalMs) ||
    args.samplingIntervalMs < IMAGES_MIN_SAMPLING_INTERVAL_MS
  ) {
    throw invalid(
      "samplingIntervalMs",
      `samplingIntervalMs must be an integer of at least ${IMAGES_MIN_SAMPLING_INTERVAL_MS}`,
    );
  }
  if (Number.isNaN(args.startMs) || Number.isNaN(args.endMs))
    throw invalid("range", "range needs a valid start and end");
  if (args.endMs < args.startMs) throw invalid("range", "range.end must not be before range.start");
  const intervalMs = args.samplingIntervalMs;
  // Back by whole intervals, so the points kept are exactly start, start + interval, …
  const first = Math.ceil(startOffsetMs / intervalMs);
  const originMs = args.startMs - first * intervalMs;
  return {
    grid: { streamArn, timestampType, originMs, intervalMs, look },
    first,
    last: Math.floor((args.endMs - originMs) / intervalMs),
  };
}

/** Points per window: 25, fewer when 25 intervals would span more than 300 s. */
export function pointsPerWindow(intervalMs: number): number {
  return Math.max(1, Math.min(IMAGES_PAGE_SIZE, Math.floor(IMAGES_MAX_RANGE_MS / intervalMs) + 1));
}

export const windowOf = (grid: ImageGrid, point: number): ImageWindow => ({
  grid,
  index: Math.floor(point / pointsPerWindow(grid.intervalMs)),
});

/** The GetImages range of a window: its first and last points (within 300 s). */
export function windowRange(window: ImageWindow): {
  startMs: number;
  endMs: number;
  points: number;
} {
  const { originMs, intervalMs } = window.grid;
  const points = pointsPerWindow(intervalMs);
  const startMs = originMs + window.index * points * intervalMs;
  return { startMs, endMs: startMs + (points - 1) * intervalMs, points };
}

export const pointTimestampMs = (grid: ImageGrid, point: number): number =>
  grid.originMs + point * grid.intervalMs;

/** How many windows (GetImages calls) the points `first`..`last` span. */
export function windowsSpanned(grid: ImageGrid, first: number, last: number): number {
  if (last < first) return 0;
  return windowOf(grid, last).index - windowOf(grid, first).index + 1;
}

/** What identifies a grid's pictures: the cache key of its windows and the fields its links sign. */
export function gridFields(grid: ImageGrid): Array<string | number> {
  const { streamArn, timestampType, originMs, intervalMs, look } = grid;
  return [
    streamArn,
    timestampType,
    originMs,
    intervalMs,
    look.format,
    look.width ?? 0,
    look.height ?? 0,
    look.quality,
  ];
}

/** A stable identity of a window, for the cache and for coalescing. */
export function windowKey(window: ImageWindow): string {
  return JSON.stringify([...gridFields(window.grid), window.index]);
}
