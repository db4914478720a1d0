// KVS service exceptions as the wire sees them: HTTP status from the service models, the
// exception name in `x-amzn-ErrorType` and `{"__type","Message"}` in the body.

/** HTTP status per exception name, from the kinesisvideo, -media and -archived-media models. */
const STATUS_BY_EXCEPTION: Readonly<Record<string, number>> = {
  AccessDeniedException: 401,
  AccountStreamLimitExceededException: 400,
  ClientLimitExceededException: 400,
  ConnectionLimitExceededException: 400,
  DeviceStreamLimitExceededException: 400,
  InvalidArgumentException: 400,
  InvalidCodecPrivateDataException: 400,
  InvalidDeviceException: 400,
  InvalidEndpointException: 400,
  InvalidMediaFrameException: 400,
  InvalidResourceFormatException: 400,
  MissingCodecPrivateDataException: 400,
  NoDataRetentionException: 400,
  NotAuthorizedException: 401,
  ResourceInUseException: 400,
  ResourceNotFoundException: 404,
  TagsPerResourceExceededLimitException: 400,
  UnsupportedStreamMediaTypeException: 400,
  VersionMismatchException: 400,
  // Errors of the AWS front door rather than of the service models.
  IncompleteSignatureException: 403,
  InvalidSignatureException: 403,
  MissingAuthenticationTokenException: 403,
  SerializationException: 400,
  // kvs-local's answer to a JSON body that does not arrive in time (Node answers 408 too).
  RequestTimeoutException: 408,
  InternalFailure: 500,
  ServiceUnavailable: 503,
};

export function statusForException(exception: string): number {
  return STATUS_BY_EXCEPTION[exception] ?? 400;
}

/** Thrown by handlers; the server turns it into an AWS-shaped error response. */
export class KvsServiceError extends Error {
  readonly status: number;
  readonly exception: string;

  constructor(exception: string, message: string, status?: number) {
    super(message);
    this.exception = exception;
    this.name = exception;
    this.status = status ?? statusForException(exception);
  }
}

export const invalidArgument = (message: string): KvsServiceError =>
  new KvsServiceError("InvalidArgumentException", message);

export const resourceNotFound = (message: string): KvsServiceError =>
  new KvsServiceError("ResourceNotFoundException", message);
