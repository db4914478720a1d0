import { invalidArgument } from "../errors.ts";
import type { OperationHandler } from "../server/context.ts";
import { NEXT_TOKEN, STREAM_NAME } from "../validation.ts";
import { streamInfo } from "./stream-info.ts";

const DEFAULT_MAX_RESULTS = 10_000;

// The token is the base64 of the last stream name returned; names sort stably.
const encodeToken = (name: string) => Buffer.from(`after:${name}`, "utf8").toString("base64");

function decodeToken(token: string): string {
  const text = Buffer.from(token, "base64").toString("utf8");
  if (!text.startsWith("after:")) throw invalidArgument("NextToken is invalid.");
  return text.slice("after:".length);
}

export const listStreams: OperationHandler = {
  operation: "ListStreams",
  async handle({ input, store, replyJson }) {
    const maxResults = input.integer("MaxResults", { min: 1, max: 10_000 }) ?? DEFAULT_MAX_RESULTS;
    const nextToken = input.string("NextToken", NEXT_TOKEN);
    const condition = input.object("StreamNameCondition");
    const operator = condition?.enumeration("ComparisonOperator", ["BEGINS_WITH"] as const);
    const prefix = condition?.string("ComparisonValue", STREAM_NAME);
    if (condition && (operator === undefined) !== (prefix === undefined)) {
      throw invalidArgument(
        "StreamNameCondition needs both ComparisonOperator and ComparisonValue.",
      );
    }
    const after = nextToken ? decodeToken(nextToken) : undefined;
    const matching = store
      .listStreams()
      .filter((s) => s.status !== "DELETING")
      .filter((s) => prefix === undefined || s.streamName.startsWith(prefix))
      .filter((s) => after === undefined || s.streamName > after);
    const page = matching.slice(0, maxResults);
    const last = page.at(-1);
    replyJson({
      StreamInfoList: page.map(streamInfo),
      NextToken: matching.length > page.length && last ? encodeToken(last.streamName) : undefined,
    });
  },
};
