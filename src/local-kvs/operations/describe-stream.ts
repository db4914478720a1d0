import type { OperationHandler } from "../server/context.ts";
import { streamFromInput } from "./resolve-stream.ts";
import { streamInfo } from "./stream-info.ts";

export const describeStream: OperationHandler = {
  operation: "DescribeStream",
  async handle({ input, store, replyJson }) {
    replyJson({ StreamInfo: streamInfo(streamFromInput(store, input)) });
  },
};
