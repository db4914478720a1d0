import { KvsServiceError } from "../errors.ts";
import type { OperationHandler } from "../server/context.ts";
import {
  DEVICE_NAME,
  KMS_KEY_ID,
  MEDIA_TYPE,
  STREAM_NAME,
  TAG_KEY,
  TAG_VALUE,
} from "../validation.ts";

/** KVS caps retention at ten years (the model only says min 0). */
export const MAX_RETENTION_HOURS = 87_600;

export const createStream: OperationHandler = {
  operation: "CreateStream",
  async handle({ input, store, clock, replyJson }) {
    const deviceName = input.string("DeviceName", DEVICE_NAME);
    const streamName = input.requiredString("StreamName", STREAM_NAME);
    const mediaType = input.string("MediaType", MEDIA_TYPE);
    const kmsKeyId = input.string("KmsKeyId", KMS_KEY_ID);
    const dataRetentionInHours =
      input.integer("DataRetentionInHours", { min: 0, max: MAX_RETENTION_HOURS }) ?? 0;
    const tags = input.stringMap("Tags", TAG_KEY, TAG_VALUE, { min: 1, max: 50 });
    if (store.getStreamByName(streamName)) {
      throw new KvsServiceError(
        "ResourceInUseException",
        `The stream ${streamName} already exists.`,
      );
    }
    const stream = await store.createStream(
      { streamName, deviceName, mediaType, kmsKeyId, dataRetentionInHours, tags },
      clock.now(),
    );
    replyJson({ StreamARN: stream.streamArn });
  },
};
