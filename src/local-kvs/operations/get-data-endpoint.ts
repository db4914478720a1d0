import type { OperationHandler } from "../server/context.ts";
import { API_NAMES } from "../validation.ts";
import { streamFromInput } from "./resolve-stream.ts";

export const getDataEndpoint: OperationHandler = {
  operation: "GetDataEndpoint",
  async handle({ input, store, config, replyJson }) {
    input.enumeration("APIName", API_NAMES, { required: true });
    streamFromInput(store, input);
    // One server serves every API, so every APIName gets this server's base URL (no path).
    replyJson({ DataEndpoint: config.endpoint });
  },
};
