// One class per Kinesis Video Streams exception, so callers (and the GraphQL error unions) can
// match on type instead of on strings. `toKvsError` maps whatever an SDK call threw onto them.

/** The KVS operations the gateway calls, as named in the service models. */
export type KvsOperation =
  | "ListStreams"
  | "DescribeStream"
  | "GetDataEndpoint"
  | "ListFragments"
  | "GetClip"
  | "GetMedia"
  | "GetMediaForFragmentList"
  | "GetImages"
  | "GetHLSStreamingSessionURL"
  | "GetDASHStreamingSessionURL";

export interface KvsErrorDetails {
  /** `x-amzn-RequestId` of the failed upstream call, when there was one. */
  requestId?: string | undefined;
  /** HTTP status of the upstream answer, when there was one. */
  httpStatus?: number | undefined;
  cause?: unknown;
}

/** Base of every typed upstream (or gateway-validation) failure. */
export abstract class KvsError extends Error {
  /** The AWS exception name, e.g. "ResourceNotFoundException". */
  abstract readonly code: string;
  /** Whether the same call may succeed later without changing it. */
  abstract readonly retryable: boolean;
  readonly requestId: string | undefined;
  readonly httpStatus: number | undefined;

  constructor(message: string, details: KvsErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.requestId = details.requestId;
    this.httpStatus = details.httpStatus;
  }
}

export class ResourceNotFoundError extends KvsError {
  readonly code = "ResourceNotFoundException";
  readonly retryable = false;
}

export class InvalidArgumentError extends KvsError {
  readonly code = "InvalidArgumentException";
  readonly retryable = false;
  /** The gateway argument that failed validation; undefined when KVS itself refused the call. */
  readonly argument: string | undefined;

  constructor(message: string, details: KvsErrorDetails & { argument?: string } = {}) {
    super(message, details);
    this.argument = details.argument;
  }
}

export class ClientLimitExceededError extends KvsError {
  readonly code = "ClientLimitExceededException";
  readonly retryable = true;
}

export class ConnectionLimitExceededError extends KvsError {
  readonly code = "ConnectionLimitExceededException";
  readonly retryable = true;
}

export class NotAuthorizedError extends KvsError {
  /** NotAuthorizedException, or the AWS front door's name (e.g. UnrecognizedClientException). */
  readonly code: string;
  readonly retryable = false;

  constructor(message: string, details: KvsErrorDetails & { code?: string } = {}) {
    super(message, details);
    this.code = details.code ?? "NotAuthorizedException";
  }
}

export class NoDataRetentionError extends KvsError {
  readonly code = "NoDataRetentionException";
  readonly retryable = false;
}

export class UnsupportedStreamMediaTypeError extends KvsError {
  readonly code = "UnsupportedStreamMediaTypeException";
  readonly retryable = false;
}

export class MissingCodecPrivateDataError extends KvsError {
  readonly code = "MissingCodecPrivateDataException";
  readonly retryable = false;
}

export class InvalidCodecPrivateDataError extends KvsError {
  readonly code = "InvalidCodecPrivateDataException";
  readonly retryable = false;
}

export class InvalidMediaFrameError extends KvsError {
  readonly code = "InvalidMediaFrameException";
  readonly retryable = false;
}

/** The data endpoint is wrong for the stream (it moved): resolve it again. */
export class InvalidEndpointError extends KvsError {
  readonly code = "InvalidEndpointException";
  readonly retryable = true;
}

/** Network failure, timeout or 5xx: KVS could not answer. */
export class UpstreamUnavailableError extends KvsError {
  /** The upstream's exception name or the socket error code, e.g. "InternalFailure", "ECONNREFUSED". */
  readonly code: string;
  readonly retryable = true;

  constructor(message: string, details: KvsErrorDetails & { code?: string } = {}) {
    super(message, details);
    this.code = details.code ?? "UpstreamUnavailable";
  }
}

export type KvsErrorClass =
  | typeof ResourceNotFoundError
  | typeof InvalidArgumentError
  | typeof ClientLimitExceededError
  | typeof ConnectionLimitExceededError
  | typeof NotAuthorizedError
  | typeof NoDataRetentionError
  | typeof UnsupportedStreamMediaTypeError
  | typeof MissingCodecPrivateDataError
  | typeof InvalidCodecPrivateDataError
  | typeof InvalidMediaFrameError
  | typeof InvalidEndpointError
  | typeof UpstreamUnavailableError;

/** Exception name in the service models → class. */
export const ERROR_CLASS_BY_EXCEPTION = {
  ResourceNotFoundException: ResourceNotFoundError,
  InvalidArgumentException: InvalidArgumentError,
  ClientLimitExceededException: ClientLimitExceededError,
  ConnectionLimitExceededException: ConnectionLimitExceededError,
  NotAuthorizedException: NotAuthorizedError,
  NoDataRetentionException: NoDataRetentionError,
  UnsupportedStreamMediaTypeException: UnsupportedStreamMediaTypeError,
  MissingCodecPrivateDataException: MissingCodecPrivateDataError,
  InvalidCodecPrivateDataException: InvalidCodecPrivateDataError,
  InvalidMediaFrameException: InvalidMediaFrameError,
  InvalidEndpointException: InvalidEndpointError,
} as const satisfies Record<string, KvsErrorClass>;

export type KvsExceptionName = keyof typeof ERROR_CLASS_BY_EXCEPTION;

/** GetHLSStreamingSessionURL and GetDASHStreamingSessionURL throw the same (their models agree). */
const STREAMING_SESSION_EXCEPTIONS: readonly KvsExceptionName[] = [
  "ClientLimitExceededException",
  "InvalidArgumentException",
  "InvalidCodecPrivateDataException",
  "MissingCodecPrivateDataException",
  "NoDataRetentionException",
  "NotAuthorizedException",
  "ResourceNotFoundException",
  "UnsupportedStreamMediaTypeException",
];

/**
 * What each operation can throw, from the `@throws` lists of the service models
 * (@aws-sdk/client-kinesis-video*). Network failures and 5xx come on top of these.
 */
export const OPERATION_EXCEPTIONS: Readonly<Record<KvsOperation, readonly KvsExceptionName[]>> = {
  ListStreams: ["ClientLimitExceededException", "InvalidArgumentException"],
  DescribeStream: [
    "ClientLimitExceededException",
    "InvalidArgumentException",
    "NotAuthorizedException",
    "ResourceNotFoundException",
  ],
  GetDataEndpoint: [
    "ClientLimitExceededException",
    "InvalidArgumentException",
    "NotAuthorizedException",
    "ResourceNotFoundException",
  ],
  ListFragments: [
    "ClientLimitExceededException",
    "InvalidArgumentException",
    "NotAuthorizedException",
    "ResourceNotFoundException",
  ],
  GetMediaForFragmentList: [
    "ClientLimitExceededException",
    "InvalidArgumentException",
    "NotAuthorizedException",
    "ResourceNotFoundException",
  ],
  GetClip: [
    "ClientLimitExceededException",
    "InvalidArgumentException",
    "InvalidCodecPrivateDataException",
    "InvalidMediaFrameException",
    "MissingCodecPrivateDataException",
    "NoDataRetentionException",
    "NotAuthorizedException",
    "ResourceNotFoundException",
    "UnsupportedStreamMediaTypeException",
  ],
  GetImages: [
    "ClientLimitExceededException",
    "InvalidArgumentException",
    "NoDataRetentionException",
    "NotAuthorizedException",
    "ResourceNotFoundException",
  ],
  GetHLSStreamingSessionURL: STREAMING_SESSION_EXCEPTIONS,
  GetDASHStreamingSessionURL: STREAMING_SESSION_EXCEPTIONS,
  GetMedia: [
    "ClientLimitExceededException",
    "ConnectionLimitExceededException",
    "InvalidArgumentException",
    "InvalidEndpointException",
    "NotAuthorizedException",
    "ResourceNotFoundException",
  ],
};

/** Operations served by a stream's data endpoint: they go through GetDataEndpoint first. */
export const DATA_PLANE_OPERATIONS: ReadonlySet<KvsOperation> = new Set<KvsOperation>([
  "ListFragments",
  "GetClip",
  "GetMedia",
  "GetMediaForFragmentList",
  "GetImages",
  "GetHLSStreamingSessionURL",
  "GetDASHStreamingSessionURL",
]);

/** The error classes a gateway call of these operations can end in, upstream faults included. */
export function errorClassesOf(...operations: KvsOperation[]): KvsErrorClass[] {
  const names = new Set<KvsExceptionName>();
  for (const operation of operations) {
    const chain: KvsOperation[] = DATA_PLANE_OPERATIONS.has(operation)
      ? ["GetDataEndpoint", operation]
      : [operation];
    for (const op of chain) for (const name of OPERATION_EXCEPTIONS[op]) names.add(name);
  }
  return [
    ...[...names].sort().map((name) => ERROR_CLASS_BY_EXCEPTION[name]),
    UpstreamUnavailableError,
  ];
}

/**
 * Authentication failures answered by AWS's front door, outside the service models. They mean
 * the same to a caller as NotAuthorizedException and keep their own name as the code.
 */
const AUTH_FAILURES = new Set([
  "AccessDeniedException",
  "ExpiredTokenException",
  "IncompleteSignatureException",
  "InvalidClientTokenId",
  "InvalidSignatureException",
  "MissingAuthenticationTokenException",
  "RequestExpired",
  "SignatureDoesNotMatch",
  "UnrecognizedClientException",
]);

/** Socket-level failures: the endpoint could not be reached or dropped the connection. */
const CONNECTION_FAILURES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
]);

interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

function shapeOf(error: unknown): SdkErrorShape {
  return typeof error === "object" && error !== null ? (error as SdkErrorShape) : {};
}

/** True when the call never got an HTTP answer because the connection failed or timed out. */
export function isConnectionFailure(error: unknown): boolean {
  const shape = shapeOf(error);
  if (shape.$metadata?.httpStatusCode !== undefined) return false;
  if (typeof shape.code === "string" && CONNECTION_FAILURES.has(shape.code)) return true;
  return shape.name === "TimeoutError" || shape.name === "RequestTimeout";
}

/**
 * Maps an error thrown by an SDK call to its KvsError class. Errors that are neither a known
 * exception, an auth failure, a 5xx nor a connection failure are returned unchanged: they are
 * bugs or surprises, and the GraphQL layer masks them.
 */
export function toKvsError(error: unknown): unknown {
  if (error instanceof KvsError) return error;
  const shape = shapeOf(error);
  const name = typeof shape.name === "string" ? shape.name : "";
  const message =
    typeof shape.message === "string" && shape.message !== ""
      ? shape.message
      : name || "Upstream error";
  const details: KvsErrorDetails = {
    requestId: shape.$metadata?.requestId,
    httpStatus: shape.$metadata?.httpStatusCode,
    cause: error,
  };

  if (Object.hasOwn(ERROR_CLASS_BY_EXCEPTION, name)) {
    const ErrorClass = ERROR_CLASS_BY_EXCEPTION[name as KvsExceptionName];
    return new ErrorClass(message, details);
  }
  if (AUTH_FAILURES.has(name)) return new NotAuthorizedError(message, { ...details, code: name });
  const status = details.httpStatus;
  if (status !== undefined && status >= 500) {
    return new UpstreamUnavailableError(message, { ...details, code: name || `HTTP${status}` });
  }
  if (isConnectionFailure(error)) {
    const code = typeof shape.code === "string" ? shape.code : name;
    return new UpstreamUnavailableError(`KVS could not be reached: ${message}`, {
      ...details,
      code,
    });
  }
  return error;
}
