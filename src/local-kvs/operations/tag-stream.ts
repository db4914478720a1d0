import { KvsServiceError } from "../errors.ts";
import type { OperationHandler } from "../server/context.ts";
import { TAG_KEY, TAG_VALUE } from "../validation.ts";
import { streamFromInput } from "./resolve-stream.ts";

const MAX_TAGS = 50;

export const tagStream: OperationHandler = {
  operation: "TagStream",
  async handle({ input, store, replyJson }) {
    const tags = input.stringMap(
      "Tags",
      TAG_KEY,
      TAG_VALUE,
      { min: 1, max: MAX_TAGS },
      { required: true },
    );
    const stream = streamFromInput(store, input);
    const merged = { ...stream.tags, ...tags };
    if (Object.keys(merged).length > MAX_TAGS) {
      throw new KvsServiceError(
        "TagsPerResourceExceededLimitException",
        `A stream can have at most ${MAX_TAGS} tags.`,
      );
    }
    await store.updateStream(stream.streamArn, { tags: merged });
    replyJson({});
  },
};
