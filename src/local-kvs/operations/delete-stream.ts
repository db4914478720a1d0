import type { OperationHandler } from "../server/context.ts";
import { STREAM_ARN, VERSION } from "../validation.ts";
import { checkCurrentVersion } from "./check-version.ts";
import { findStream } from "./resolve-stream.ts";

export const deleteStream: OperationHandler = {
  operation: "DeleteStream",
  async handle({ input, store, replyJson }) {
    const streamArn = input.requiredString("StreamARN", STREAM_ARN);
    const currentVersion = input.string("CurrentVersion", VERSION);
    const stream = findStream(store, { streamArn });
    checkCurrentVersion(stream, currentVersion);
    await store.deleteStream(stream.streamArn);
    replyJson({});
  },
};
