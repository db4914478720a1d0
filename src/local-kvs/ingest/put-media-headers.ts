// The PutMedia request headers (PutMedia is in no SDK model; the producer SDKs send these).

import type { IncomingHttpHeaders } from "node:http";
import { invalidArgument } from "../errors.ts";
import { checkString, STREAM_ARN, STREAM_NAME, type StreamSelector } from "../validation.ts";

export type TimecodeType = "ABSOLUTE" | "RELATIVE";

export interface PutMediaRequest {
  selector: StreamSelector;
  timecodeType: TimecodeType;
  /** x-amzn-producer-start-timestamp in epoch ms (0 when absent). */
  producerStartMs: number;
}

function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function readPutMediaHeaders(headers: IncomingHttpHeaders): PutMediaRequest {
  const streamName = single(headers, "x-amzn-stream-name");
  const streamArn = single(headers, "x-amzn-stream-arn");
  if (streamName === undefined && streamArn === undefined) {
    throw invalidArgument("Either x-amzn-stream-name or x-amzn-stream-arn must be specified.");
  }
  if (streamName !== undefined && streamArn !== undefined) {
    throw invalidArgument("Specify either x-amzn-stream-name or x-amzn-stream-arn, not both.");
  }
  const selector: StreamSelector =
    streamArn !== undefined
      ? { streamArn: checkString("streamARN", streamArn, STREAM_ARN) }
      : { streamName: checkString("streamName", streamName as string, STREAM_NAME) };

  const timecodeType = single(headers, "x-amzn-fragment-timecode-type");
  if (timecodeType !== "ABSOLUTE" && timecodeType !== "RELATIVE") {
    throw invalidArgument(
      `x-amzn-fragment-timecode-type must be ABSOLUTE or RELATIVE, got '${timecodeType ?? ""}'.`,
    );
  }
  const start = single(headers, "x-amzn-producer-start-timestamp");
  let producerStartMs = 0;
  if (start !== undefined) {
    const seconds = Number(start);
    if (start.trim() === "" || !Number.isFinite(seconds) || seconds < 0) {
      throw invalidArgument(
        `x-amzn-producer-start-timestamp is not a valid timestamp: '${start}'.`,
      );
    }
    producerStartMs = Math.round(seconds * 1000);
  } else if (timecodeType === "RELATIVE") {
    throw invalidArgument("x-amzn-producer-start-timestamp is required with RELATIVE timecodes.");
  }
  return { selector, timecodeType, producerStartMs };
}
