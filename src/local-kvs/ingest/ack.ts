// PutMedia acknowledgements: one JSON object per line on the 200 response.

export type AckEventType = "BUFFERING" | "RECEIVED" | "PERSISTED" | "ERROR" | "IDLE";

export interface PutMediaAck {
  EventType: AckEventType;
  FragmentTimecode?: number;
  FragmentNumber?: string;
  ErrorId?: number;
}

/** PutMedia ErrorIds (from the PutMedia API reference). */
export const PUT_MEDIA_ERROR = {
  STREAM_READ_ERROR: 4000,
  MAX_FRAGMENT_SIZE_REACHED: 4001,
  MAX_FRAGMENT_DURATION_REACHED: 4002,
  MAX_CONNECTION_DURATION_REACHED: 4003,
  FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS: 4004,
  MORE_THAN_ALLOWED_TRACKS_FOUND: 4005,
  INVALID_MKV_DATA: 4006,
  INVALID_PRODUCER_TIMESTAMP: 4007,
  STREAM_NOT_ACTIVE: 4008,
  FRAGMENT_METADATA_LIMIT_REACHED: 4009,
  TRACK_NUMBER_MISMATCH: 4010,
  FRAMES_MISSING_FOR_TRACK: 4011,
  INVALID_FRAGMENT_METADATA: 4012,
  INTERNAL_ERROR: 5000,
  ARCHIVAL_ERROR: 5001,
} as const;

export function encodeAck(ack: PutMediaAck): string {
  return `${JSON.stringify(ack)}\n`;
}
