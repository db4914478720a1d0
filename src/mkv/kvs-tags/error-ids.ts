// AWS_KINESISVIDEO_ERROR_ID values: what KVS writes in the ERROR_ID tag when it stops a GetMedia
// (or GetMediaForFragmentList) response, with the ERROR_CODE text sent beside it. Meanings are
// those documented for GetMediaOutput.Payload. The backend writes them; the gateway reads them.

export interface KvsErrorIdInfo {
  /** The AWS_KINESISVIDEO_ERROR_CODE sent with the id. */
  code: string;
  /** The documented meaning. */
  meaning: string;
  /** 3002 and 5000 are transient on KVS's side: reconnecting may succeed. */
  retryable: boolean;
}

export const FRAGMENT_NOT_FOUND_ERROR_ID = 4000;
export const INTERNAL_ERROR_ID = 5000;

export const GET_MEDIA_ERROR_IDS: Readonly<Record<number, KvsErrorIdInfo>> = {
  3002: { code: "STREAM_WRITE_ERROR", meaning: "Error writing to the stream", retryable: true },
  [FRAGMENT_NOT_FOUND_ERROR_ID]: {
    code: "FRAGMENT_NOT_FOUND",
    meaning: "Requested fragment is not found",
    retryable: false,
  },
  4500: {
    code: "KMS_KEY_ACCESS_DENIED",
    meaning: "Access denied for the stream's KMS key",
    retryable: false,
  },
  4501: { code: "KMS_KEY_DISABLED", meaning: "Stream's KMS key is disabled", retryable: false },
  4502: {
    code: "KMS_KEY_VALIDATION_ERROR",
    meaning: "Validation error on the stream's KMS key",
    retryable: false,
  },
  4503: {
    code: "KMS_KEY_UNAVAILABLE",
    meaning: "KMS key specified in the stream is unavailable",
    retryable: false,
  },
  4504: {
    code: "KMS_KEY_INVALID_USAGE",
    meaning: "Invalid usage of the KMS key specified in the stream",
    retryable: false,
  },
  4505: {
    code: "KMS_KEY_INVALID_STATE",
    meaning: "Invalid state of the KMS key specified in the stream",
    retryable: false,
  },
  4506: {
    code: "KMS_KEY_NOT_FOUND",
    meaning: "Unable to find the KMS key specified in the stream",
    retryable: false,
  },
  [INTERNAL_ERROR_ID]: { code: "INTERNAL_ERROR", meaning: "Internal error", retryable: true },
};
