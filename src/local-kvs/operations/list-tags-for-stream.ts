import type { OperationHandler } from "../server/context.ts";
import { NEXT_TOKEN } from "../validation.ts";
import { streamFromInput } from "./resolve-stream.ts";

export const listTagsForStream: OperationHandler = {
  operation: "ListTagsForStream",
  async handle({ input, store, replyJson }) {
    // At most 50 tags: one page always holds them all.
    input.string("NextToken", NEXT_TOKEN);
    const stream = streamFromInput(store, input);
    replyJson({ Tags: stream.tags });
  },
};
