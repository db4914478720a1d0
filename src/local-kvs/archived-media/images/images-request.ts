// A GetImages request as the service model and API reference define it, checked before any work:
// ImageSelectorType, StartTimestamp, EndTimestamp (at most 300 s after the start), Format
// JPEG|PNG, SamplingInterval (optional, at least 200 ms), FormatConfig {JPEGQuality: "1"…"100"},
// WidthPixels 1-3840 and HeightPixels 1-2160 (both or neither), MaxResults (pages hold at most
// 25 whatever it says; 1-100), NextToken.
import { invalidArgument } from "../../errors.ts";
import type { TimestampKind } from "../../store/types.ts";
import {
  FRAGMENT_SELECTOR_TYPES,
  LIST_FRAGMENTS_NEXT_TOKEN,
  type RequestInput,
  validationError,
} from "../../validation.ts";
import type { ImageFormat } from "./ffmpeg.ts";

export const IMAGES_MAX_RANGE_MS = 300_000;
export const IMAGES_MIN_SAMPLING_INTERVAL_MS = 200;
export const IMAGES_PAGE_SIZE = 25;
export const DEFAULT_JPEG_QUALITY = 80;
const FORMATS = ["JPEG", "PNG"] as const satisfies readonly ImageFormat[];
const FORMAT_CONFIG_VALUE = {
  min: 0,
  max: 256,
  pattern: /^[a-zA-Z_0-9]+$/,
  patternText: "^[a-zA-Z_0-9]+",
};
const FORMAT_CONFIG_KEY = {
  min: 1,
  max: 256,
  pattern: /^JPEGQuality$/,
  patternText: "[JPEGQuality]",
};

export interface ImagesRequest {
  by: TimestampKind;
  startMs: number;
  endMs: number;
  samplingIntervalMs: number | undefined;
  format: ImageFormat;
  jpegQuality: number;
  size: { width: number; height: number } | undefined;
  pageSize: number;
  nextToken: string | undefined;
}

function readQuality(input: RequestInput): number {
  const config = input.stringMap("FormatConfig", FORMAT_CONFIG_KEY, FORMAT_CONFIG_VALUE, {
    min: 1,
    max: 1,
  });
  const text = config?.JPEGQuality;
  if (text === undefined) return DEFAULT_JPEG_QUALITY;
  const quality = /^\d{1,3}$/.test(text) ? Number(text) : Number.NaN;
  if (!(quality >= 1 && quality <= 100)) {
    throw invalidArgument(
      `FormatConfig JPEGQuality must be an integer from 1 to 100, not '${text}'.`,
    );
  }
  return quality;
}

export function readImagesRequest(input: RequestInput): ImagesRequest {
  const selector = input.enumeration("ImageSelectorType", FRAGMENT_SELECTOR_TYPES, {
    required: true,
  });
  const startMs = input.timestampMs("StartTimestamp", { required: true }) as number;
  const endMs = input.timestampMs("EndTimestamp", { required: true }) as number;
  const format = input.enumeration("Format", FORMATS, { required: true }) as ImageFormat;
  const samplingIntervalMs = input.integer("SamplingInterval", {});
  const jpegQuality = readQuality(input);
  const width = input.integer("WidthPixels", { min: 1, max: 3840 });
  const height = input.integer("HeightPixels", { min: 1, max: 2160 });
  const maxResults = input.integer("MaxResults", { min: 1, max: 100 });
  const nextToken = input.string("NextToken", LIST_FRAGMENTS_NEXT_TOKEN);

  if (endMs < startMs) throw invalidArgument("EndTimestamp must not be before StartTimestamp.");
  if (endMs - startMs > IMAGES_MAX_RANGE_MS) {
    throw invalidArgument(
      "The time range between StartTimestamp and EndTimestamp must be at most 300 seconds.",
    );
  }
  if (samplingIntervalMs !== undefined && samplingIntervalMs < IMAGES_MIN_SAMPLING_INTERVAL_MS) {
    throw validationError(
      "samplingInterval",
      samplingIntervalMs,
      `Member must have value greater than or equal to ${IMAGES_MIN_SAMPLING_INTERVAL_MS}`,
    );
  }
  if ((width === undefined) !== (height === undefined)) {
    throw invalidArgument("WidthPixels and HeightPixels must be given together, or neither.");
  }
  return {
    by: selector === "PRODUCER_TIMESTAMP" ? "producer" : "server",
    startMs,
    endMs,
    samplingIntervalMs,
    format,
    jpegQuality,
    size: width !== undefined && height !== undefined ? { width, height } : undefined,
    pageSize: Math.min(maxResults ?? IMAGES_PAGE_SIZE, IMAGES_PAGE_SIZE),
    nextToken,
  };
}
