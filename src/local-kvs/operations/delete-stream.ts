import { KvsServiceError } from "../errors.ts";
import type { OperationHandler } from "../server/context.ts";
import { STREAM_ARN, VERSION } from "../validation.ts";
import { findStream } from "./resolve-stream.ts";

export const deleteStream: OperationHandler = {
  operation: "DeleteStream",
  async handle({ input, store, replyJson }) {
    const streamArn = input.requiredString("StreamARN", STREAM_ARN);
    const currentVersion = input.string("CurrentVersion", VERSION);
    const stream = findStream(store, { streamArn });
    if (currentVersion !== undefined && currentVersion !== stream.version) {
      throw new KvsServiceError(
        "VersionMismatchException",
        `The stream version ${currentVersion} does not match the current version ${stream.version}.`,
      );
    }
    await store.deleteStream(stream.streamArn);
    replyJson({});
  },
};
