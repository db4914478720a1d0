// Request validation shared by every operation: the clients do not check the models' length,
// pattern, enum and range constraints, so the server must, answering as AWS does
// (InvalidArgumentException with a Coral-style "validation error detected" message).

import { invalidArgument, KvsServiceError } from "./errors.ts";

export interface StringConstraint {
  min?: number;
  max?: number;
  /** Must match the whole value. */
  pattern?: RegExp;
  /** The pattern as the model spells it, for the message. */
  patternText?: string;
}

function constraint(min: number, max: number, patternText?: string): StringConstraint {
  return patternText === undefined
    ? { min, max }
    : { min, max, pattern: new RegExp(`^(?:${patternText})$`, "u"), patternText };
}

// Constraints from the service models.
export const STREAM_NAME = constraint(1, 256, "[a-zA-Z0-9_.-]+");
export const STREAM_ARN = constraint(
  1,
  1024,
  "arn:[a-z\\d-]+:kinesisvideo:[a-z0-9-]+:[0-9]+:[a-z]+/[a-zA-Z0-9_.-]+/[0-9]+",
);
export const DEVICE_NAME = constraint(1, 128, "[a-zA-Z0-9_.-]+");
export const MEDIA_TYPE = constraint(
  1,
  128,
  "[\\w\\-\\.\\+]+/[\\w\\-\\.\\+]+(,[\\w\\-\\.\\+]+/[\\w\\-\\.\\+]+)*",
);
export const KMS_KEY_ID = constraint(1, 2048, ".+");
export const VERSION = constraint(1, 64, "[a-zA-Z0-9]+");
export const TAG_KEY = constraint(1, 128, "([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)");
export const TAG_VALUE = constraint(0, 256, "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");
/** kinesisvideo's NextToken shape, shared by ListStreams and ListTagsForStream (512 in older models). */
export const NEXT_TOKEN = constraint(0, 1024, "[a-zA-Z0-9+/=]*");
export const LIST_FRAGMENTS_NEXT_TOKEN = constraint(1, 4096, "[a-zA-Z0-9+/]+={0,2}");
export const FRAGMENT_NUMBER = constraint(1, 128, "[0-9]+");
export const CONTINUATION_TOKEN = constraint(1, 128, "[a-zA-Z0-9_\\.\\-]+");

export const API_NAMES = [
  "PUT_MEDIA",
  "GET_MEDIA",
  "LIST_FRAGMENTS",
  "GET_MEDIA_FOR_FRAGMENT_LIST",
  "GET_HLS_STREAMING_SESSION_URL",
  "GET_DASH_STREAMING_SESSION_URL",
  "GET_CLIP",
  "GET_IMAGES",
] as const;
export const FRAGMENT_SELECTOR_TYPES = ["PRODUCER_TIMESTAMP", "SERVER_TIMESTAMP"] as const;
export const START_SELECTOR_TYPES = [
  "FRAGMENT_NUMBER",
  "SERVER_TIMESTAMP",
  "PRODUCER_TIMESTAMP",
  "NOW",
  "EARLIEST",
  "CONTINUATION_TOKEN",
] as const;

/** "StreamName" → "streamName", as Coral names members in its messages. */
function memberPath(parent: string, name: string): string {
  const member = name.charAt(0).toLowerCase() + name.slice(1);
  return parent ? `${parent}.${member}` : member;
}

function quote(value: unknown): string {
  return typeof value === "string" ? `'${value}'` : JSON.stringify(value);
}

export function validationError(path: string, value: unknown, rule: string): KvsServiceError {
  return invalidArgument(
    `1 validation error detected: Value ${quote(value)} at '${path}' failed to satisfy constraint: ${rule}`,
  );
}

function serializationError(path: string, expected: string): KvsServiceError {
  return new KvsServiceError("SerializationException", `Expected ${expected} at '${path}'`);
}

export function checkString(path: string, value: string, rule: StringConstraint): string {
  checkCount(path, value, [...value].length, rule);
  if (rule.pattern && !rule.pattern.test(value)) {
    throw validationError(
      path,
      value,
      `Member must satisfy regular expression pattern: ${rule.patternText ?? rule.pattern.source}`,
    );
  }
  return value;
}

interface Presence {
  required?: boolean;
}

/** A JSON object from a request body, read member by member with the model's constraints. */
export class RequestInput {
  private readonly members: Readonly<Record<string, unknown>>;
  /** Dotted member path of this object, for messages ("" at the top). */
  readonly path: string;

  private constructor(members: Readonly<Record<string, unknown>>, path: string) {
    this.members = members;
    this.path = path;
  }

  /** The top-level body: a JSON object (an empty body counts as `{}`). */
  static from(body: unknown): RequestInput {
    if (body === undefined || body === null) return new RequestInput({}, "");
    if (typeof body !== "object" || Array.isArray(body)) {
      throw new KvsServiceError("SerializationException", "Request body must be a JSON object");
    }
    return new RequestInput(body as Record<string, unknown>, "");
  }

  has(name: string): boolean {
    const value = this.members[name];
    return value !== undefined && value !== null;
  }

  private raw(name: string, presence: Presence): unknown {
    const value = this.members[name];
    if ((value === undefined || value === null) && presence.required) {
      throw validationError(memberPath(this.path, name), null, "Member must not be null");
    }
    return value ?? undefined;
  }

  string(name: string, rule: StringConstraint, presence: Presence = {}): string | undefined {
    const value = this.raw(name, presence);
    if (value === undefined) return undefined;
    const path = memberPath(this.path, name);
    if (typeof value !== "string") throw serializationError(path, "a string");
    return checkString(path, value, rule);
  }

  requiredString(name: string, rule: StringConstraint): string {
    return this.string(name, rule, { required: true }) as string;
  }

  integer(
    name: string,
    range: { min?: number; max?: number },
    presence: Presence = {},
  ): number | undefined {
    const value = this.raw(name, presence);
    if (value === undefined) return undefined;
    const path = memberPath(this.path, name);
    if (typeof value !== "number" || !Number.isInteger(value)) {
      throw serializationError(path, "an integer");
    }
    if (range.min !== undefined && value < range.min) {
      throw validationError(
        path,
        value,
        `Member must have value greater than or equal to ${range.min}`,
      );
    }
    if (range.max !== undefined && value > range.max) {
      throw validationError(
        path,
        value,
        `Member must have value less than or equal to ${range.max}`,
      );
    }
    return value;
  }

  enumeration<T extends string>(
    name: string,
    values: readonly T[],
    presence: Presence = {},
  ): T | undefined {
    const value = this.raw(name, presence);
    if (value === undefined) return undefined;
    const path = memberPath(this.path, name);
    if (typeof value !== "string") throw serializationError(path, "a string");
    if (!(values as readonly string[]).includes(value)) {
      throw validationError(
        path,
        value,
        `Member must satisfy enum value set: [${values.join(", ")}]`,
      );
    }
    return value as T;
  }

  /** A restJson timestamp: epoch seconds, possibly fractional; returned as epoch ms. */
  timestampMs(name: string, presence: Presence = {}): number | undefined {
    const value = this.raw(name, presence);
    if (value === undefined) return undefined;
    return secondsToMs(memberPath(this.path, name), value);
  }

  object(name: string, presence: Presence = {}): RequestInput | undefined {
    const value = this.raw(name, presence);
    if (value === undefined) return undefined;
    const path = memberPath(this.path, name);
    if (typeof value !== "object" || Array.isArray(value)) {
      throw serializationError(path, "an object");
    }
    return new RequestInput(value as Record<string, unknown>, path);
  }

  stringList(
    name: string,
    rule: StringConstraint,
    size: { min?: number; max?: number },
    presence: Presence = {},
  ): string[] | undefined {
    const value = this.raw(name, presence);
    if (value === undefined) return undefined;
    const path = memberPath(this.path, name);
    if (!Array.isArray(value)) throw serializationError(path, "a list");
    checkCount(path, value, value.length, size);
    return value.map((item, i) => {
      const itemPath = `${path}.${i + 1}.member`;
      if (typeof item !== "string") throw serializationError(itemPath, "a string");
      return checkString(itemPath, item, rule);
    });
  }

  stringMap(
    name: string,
    keyRule: StringConstraint,
    valueRule: StringConstraint,
    size: { min?: number; max?: number },
    presence: Presence = {},
  ): Record<string, string> | undefined {
    const value = this.raw(name, presence);
    if (value === undefined) return undefined;
    const path = memberPath(this.path, name);
    if (typeof value !== "object" || Array.isArray(value)) throw serializationError(path, "a map");
    const entries = Object.entries(value as Record<string, unknown>);
    checkCount(path, value, entries.length, size);
    const out: Record<string, string> = {};
    for (const [key, item] of entries) {
      checkString(`${path}.key`, key, keyRule);
      if (typeof item !== "string") throw serializationError(`${path}.${key}`, "a string");
      out[key] = checkString(`${path}.${key}`, item, valueRule);
    }
    return out;
  }
}

function checkCount(
  path: string,
  value: unknown,
  count: number,
  size: { min?: number; max?: number },
): void {
  if (size.min !== undefined && count < size.min) {
    throw validationError(
      path,
      value,
      `Member must have length greater than or equal to ${size.min}`,
    );
  }
  if (size.max !== undefined && count > size.max) {
    throw validationError(path, value, `Member must have length less than or equal to ${size.max}`);
  }
}

/** Epoch seconds (a JSON number, or a numeric string) → epoch ms, keeping milliseconds. */
export function secondsToMs(path: string, value: unknown): number {
  const seconds = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) {
    throw serializationError(path, "a timestamp in epoch seconds");
  }
  return Math.round(seconds * 1000);
}

/** Epoch ms → the epoch seconds a restJson timestamp carries (fractional ms kept). */
export function msToSeconds(ms: number): number {
  return ms / 1000;
}

export interface StreamSelector {
  streamName?: string;
  streamArn?: string;
}

/** StreamName or StreamARN, exactly one of them (most operations accept either). */
export function readStreamSelector(input: RequestInput): StreamSelector {
  const streamName = input.string("StreamName", STREAM_NAME);
  const streamArn = input.string("StreamARN", STREAM_ARN);
  if (streamName === undefined && streamArn === undefined) {
    throw invalidArgument("Either StreamName or StreamARN must be specified.");
  }
  if (streamName !== undefined && streamArn !== undefined) {
    throw invalidArgument("Specify either StreamName or StreamARN, not both.");
  }
  return streamArn !== undefined ? { streamArn } : { streamName: streamName as string };
}
