// Typed errors: one GraphQL object type per KVS exception, all implementing KvsError. A field
// lists the failures of the KVS operations it calls with `errors: { types: errorsOf(...) }`, so
// its result union is exactly what those operations can throw (per the service models) plus
// UpstreamUnavailable.

import {
  ClientLimitExceededError,
  ConnectionLimitExceededError,
  errorClassesOf,
  InvalidArgumentError,
  InvalidCodecPrivateDataError,
  InvalidEndpointError,
  InvalidMediaFrameError,
  type KvsError,
  type KvsErrorClass,
  type KvsOperation,
  MissingCodecPrivateDataError,
  NoDataRetentionError,
  NotAuthorizedError,
  ResourceNotFoundError,
  UnsupportedStreamMediaTypeError,
  UpstreamUnavailableError,
} from "../../kvs/core/errors.ts";
import { builder } from "./builder.ts";

export const KvsErrorInterface = builder.interfaceRef<KvsError>("KvsError").implement({
  description:
    "A failure of a Kinesis Video Streams call, or an argument the gateway refused before calling KVS.",
  fields: (t) => ({
    message: t.exposeString("message"),
    code: t.exposeString("code", {
      description: 'The AWS exception name, e.g. "ResourceNotFoundException".',
    }),
    retryable: t.exposeBoolean("retryable", {
      description:
        "Whether the same request may succeed later unchanged (throttling, network faults).",
    }),
    requestId: t.exposeString("requestId", {
      nullable: true,
      description: "The x-amzn-RequestId of the failed KVS call; null when KVS was not reached.",
    }),
  }),
});

/** GraphQL type name and description per error class. */
const ERROR_TYPES: ReadonlyArray<readonly [KvsErrorClass, string, string]> = [
  [
    ResourceNotFoundError,
    "ResourceNotFound",
    "The stream (or the media asked for) does not exist.",
  ],
  [
    ClientLimitExceededError,
    "ClientLimitExceeded",
    "KVS throttled the call: too many requests. Retry later.",
  ],
  [
    ConnectionLimitExceededError,
    "ConnectionLimitExceeded",
    "Too many concurrent connections to the stream.",
  ],
  [NotAuthorizedError, "NotAuthorized", "The gateway's AWS credentials may not do this."],
  [
    NoDataRetentionError,
    "NoDataRetention",
    "The stream keeps no data (DataRetentionInHours is 0).",
  ],
  [
    UnsupportedStreamMediaTypeError,
    "UnsupportedStreamMediaType",
    "The stream's codecs can't be served by this call.",
  ],
  [
    MissingCodecPrivateDataError,
    "MissingCodecPrivateData",
    "A fragment's track lacks codec private data.",
  ],
  [
    InvalidCodecPrivateDataError,
    "InvalidCodecPrivateData",
    "A fragment's codec private data is invalid.",
  ],
  [
    InvalidMediaFrameError,
    "InvalidMediaFrame",
    "A frame in the requested media could not be read.",
  ],
  [
    InvalidEndpointError,
    "InvalidEndpoint",
    "The stream's data endpoint changed; the gateway re-resolves and retries once before reporting this.",
  ],
];

for (const [ErrorClass, name, description] of ERROR_TYPES) {
  builder.objectType(ErrorClass, { name, description, interfaces: [KvsErrorInterface] });
}

builder.objectType(InvalidArgumentError, {
  name: "InvalidArgument",
  description:
    "An argument broke a constraint of the KVS API (name pattern, length, range, …); the gateway checks them before calling KVS.",
  interfaces: [KvsErrorInterface],
  fields: (t) => ({
    argument: t.exposeString("argument", {
      nullable: true,
      description:
        "The argument at fault, when the gateway refused it; null when KVS refused the call.",
    }),
  }),
});

builder.objectType(UpstreamUnavailableError, {
  name: "UpstreamUnavailable",
  description:
    'KVS could not be reached or failed (network error, timeout, HTTP 5xx). `code` is the upstream exception name or socket error, e.g. "InternalFailure" or "ECONNREFUSED".',
  interfaces: [KvsErrorInterface],
  fields: (t) => ({
    httpStatus: t.exposeInt("httpStatus", { nullable: true }),
  }),
});

/**
 * The error classes for a field that calls these KVS operations (data-plane operations include
 * their GetDataEndpoint call): `errors: { types: errorsOf("ListFragments") }`.
 */
export function errorsOf(...operations: KvsOperation[]): KvsErrorClass[] {
  return errorClassesOf(...operations);
}

/** The GraphQL type name of a KvsError, for error extensions on fields without a result union. */
export function graphqlErrorTypeName(error: KvsError): string {
  if (error instanceof InvalidArgumentError) return "InvalidArgument";
  if (error instanceof UpstreamUnavailableError) return "UpstreamUnavailable";
  return ERROR_TYPES.find(([ErrorClass]) => error instanceof ErrorClass)?.[1] ?? "KvsError";
}
