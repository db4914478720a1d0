import type { OperationHandler } from "../server/context.ts";
import { TAG_KEY } from "../validation.ts";
import { streamFromInput } from "./resolve-stream.ts";

export const untagStream: OperationHandler = {
  operation: "UntagStream",
  async handle({ input, store, replyJson }) {
    const keys =
      input.stringList("TagKeyList", TAG_KEY, { min: 1, max: 50 }, { required: true }) ?? [];
    const stream = streamFromInput(store, input);
    const tags = { ...stream.tags };
    for (const key of keys) delete tags[key];
    await store.updateStream(stream.streamArn, { tags });
    replyJson({});
  },
};
