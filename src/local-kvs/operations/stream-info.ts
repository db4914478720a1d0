import type { StreamRecord } from "../store/types.ts";
import { msToSeconds } from "../validation.ts";

/** The StreamInfo shape of DescribeStream and ListStreams. */
export function streamInfo(stream: StreamRecord): Record<string, unknown> {
  return {
    DeviceName: stream.deviceName,
    StreamName: stream.streamName,
    StreamARN: stream.streamArn,
    MediaType: stream.mediaType,
    KmsKeyId: stream.kmsKeyId,
    Version: stream.version,
    Status: stream.status,
    CreationTime: msToSeconds(stream.creationTimeMs),
    DataRetentionInHours: stream.dataRetentionInHours,
  };
}
