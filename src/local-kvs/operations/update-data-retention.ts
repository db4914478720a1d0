import { invalidArgument } from "../errors.ts";
import type { OperationHandler } from "../server/context.ts";
import { VERSION } from "../validation.ts";
import { checkCurrentVersion } from "./check-version.ts";
import { MAX_RETENTION_HOURS } from "./create-stream.ts";
import { streamFromInput } from "./resolve-stream.ts";

export const updateDataRetention: OperationHandler = {
  operation: "UpdateDataRetention",
  async handle({ input, store, replyJson }) {
    const currentVersion = input.requiredString("CurrentVersion", VERSION);
    const operation = input.enumeration(
      "Operation",
      ["INCREASE_DATA_RETENTION", "DECREASE_DATA_RETENTION"] as const,
      { required: true },
    );
    const change = input.integer(
      "DataRetentionChangeInHours",
      { min: 1 },
      { required: true },
    ) as number;
    const stream = streamFromInput(store, input);
    checkCurrentVersion(stream, currentVersion);
    const hours =
      operation === "INCREASE_DATA_RETENTION"
        ? stream.dataRetentionInHours + change
        : stream.dataRetentionInHours - change;
    if (hours < 0) {
      throw invalidArgument(
        `Cannot decrease the data retention of ${stream.streamName} below 0 hours (it is ${stream.dataRetentionInHours}).`,
      );
    }
    if (hours > MAX_RETENTION_HOURS) {
      throw invalidArgument(`Data retention cannot exceed ${MAX_RETENTION_HOURS} hours.`);
    }
    await store.updateStream(stream.streamArn, { dataRetentionInHours: hours });
    replyJson({});
  },
};
