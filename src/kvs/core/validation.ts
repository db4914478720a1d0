// Input checks with the constraints of the KVS service models. The SDK clients don't check
// min/max/pattern, so the gateway does, and answers InvalidArgument before any upstream call.

import { InvalidArgumentError } from "./errors.ts";

const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,256}$/;
const STREAM_ARN = /^arn:[a-z\d-]+:kinesisvideo:[a-z0-9-]+:[0-9]+:[a-z]+\/[a-zA-Z0-9_.-]+\/[0-9]+$/;
const STREAM_ARN_MAX = 1024;
const FRAGMENT_NUMBER = /^[0-9]{1,128}$/;

/** A stream as KVS operations accept it: by name or by ARN, never both. */
export type StreamRef = { readonly name: string } | { readonly arn: string };

export function invalid(argument: string, message: string): InvalidArgumentError {
  return new InvalidArgumentError(message, { argument });
}

export function validateStreamName(name: string, argument = "name"): string {
  if (!STREAM_NAME.test(name)) {
    throw invalid(
      argument,
      `${argument} must be 1 to 256 characters of a-z, A-Z, 0-9, '_', '.' and '-' (got ${JSON.stringify(name.slice(0, 300))})`,
    );
  }
  return name;
}

export function validateStreamArn(arn: string, argument = "arn"): string {
  if (arn.length > STREAM_ARN_MAX || !STREAM_ARN.test(arn)) {
    throw invalid(
      argument,
      `${argument} must be a Kinesis Video stream ARN (arn:aws:kinesisvideo:REGION:ACCOUNT:stream/NAME/CREATION_MS) of at most ${STREAM_ARN_MAX} characters`,
    );
  }
  return arn;
}

/** Exactly one of name and ARN, each checked against the model's pattern. */
export function validateStreamRef(input: {
  name?: string | null | undefined;
  arn?: string | null | undefined;
}): StreamRef {
  const hasName = input.name !== undefined && input.name !== null;
  const hasArn = input.arn !== undefined && input.arn !== null;
  if (hasName === hasArn) {
    throw invalid(hasName ? "arn" : "name", "Give exactly one of the stream's name and its ARN");
  }
  return hasName
    ? { name: validateStreamName(input.name as string) }
    : { arn: validateStreamArn(input.arn as string) };
}

/** The SDK's `StreamName`/`StreamARN` input members for a stream reference. */
export function streamRefInput(ref: StreamRef): { StreamName: string } | { StreamARN: string } {
  return "arn" in ref ? { StreamARN: ref.arn } : { StreamName: ref.name };
}

/** A stable string for a stream reference, for cache and loader keys. */
export function streamRefKey(ref: StreamRef): string {
  return "arn" in ref ? `arn:${ref.arn}` : `name:${ref.name}`;
}

export function validateIntRange(
  value: number,
  min: number,
  max: number,
  argument: string,
): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(argument, `${argument} must be an integer from ${min} to ${max} (got ${value})`);
  }
  return value;
}

export function validateFragmentNumber(value: string, argument = "fragmentNumber"): string {
  if (!FRAGMENT_NUMBER.test(value)) {
    throw invalid(argument, `${argument} must be 1 to 128 decimal digits`);
  }
  return value;
}

export interface TimestampRange {
  readonly start: Date;
  readonly end: Date;
}

/** Start and end are real instants and the end is not before the start. */
export function validateTimestampRange(range: TimestampRange, argument = "range"): TimestampRange {
  const start = range.start.getTime();
  const end = range.end.getTime();
  if (Number.isNaN(start) || Number.isNaN(end)) {
    throw invalid(argument, `${argument} needs a valid start and end`);
  }
  if (end < start) {
    throw invalid(argument, `${argument}.end must not be before ${argument}.start`);
  }
  return range;
}
