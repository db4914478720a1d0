import type { OperationHandler } from "../server/context.ts";
import { DEVICE_NAME, MEDIA_TYPE, VERSION } from "../validation.ts";
import { checkCurrentVersion } from "./check-version.ts";
import { streamFromInput } from "./resolve-stream.ts";

export const updateStream: OperationHandler = {
  operation: "UpdateStream",
  async handle({ input, store, replyJson }) {
    const currentVersion = input.requiredString("CurrentVersion", VERSION);
    const deviceName = input.string("DeviceName", DEVICE_NAME);
    const mediaType = input.string("MediaType", MEDIA_TYPE);
    const stream = streamFromInput(store, input);
    checkCurrentVersion(stream, currentVersion);
    await store.updateStream(stream.streamArn, {
      ...(deviceName !== undefined ? { deviceName } : {}),
      ...(mediaType !== undefined ? { mediaType } : {}),
    });
    replyJson({});
  },
};
