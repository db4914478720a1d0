// Time selection shared by every field over fragments (listing, clips, live media).

import { builder } from "./builder.ts";

export const TimestampTypeEnum = builder.enumType("TimestampType", {
  description: "Which of a fragment's timestamps a range selects on and results are ordered by.",
  values: {
    SERVER_TIMESTAMP: { description: "When KVS received the fragment." },
    PRODUCER_TIMESTAMP: { description: "The producer's own timestamp of the fragment's start." },
  } as const,
});

export const TimeRangeInput = builder.inputType("TimeRange", {
  description: "An inclusive range of instants; `end` must not be before `start`.",
  fields: (t) => ({
    start: t.field({ type: "DateTime", required: true }),
    end: t.field({ type: "DateTime", required: true }),
  }),
});
