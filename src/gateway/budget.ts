// A per-operation bound on KVS calls, so one query (many aliases, fragments of a thousand
// streams) can't turn into an unbounded burst of upstream calls and throttle everyone else.

import { GraphQLError } from "graphql";

export const DEFAULT_UPSTREAM_CALLS_PER_OPERATION = 500;

export class UpstreamBudget {
  #remaining: number;

  readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
    this.#remaining = limit;
  }

  /** Calls taken so far. */
  get used(): number {
    return this.limit - this.#remaining;
  }

  /** Takes one call from the budget; a GraphQL error on the asking field once it is spent. */
  spend(): void {
    if (this.#remaining <= 0) {
      throw new GraphQLError(
        `This operation needs more than ${this.limit} Kinesis Video Streams calls; ask for less (smaller pages, fewer fields) per operation`,
        { extensions: { code: "UPSTREAM_CALL_BUDGET_EXCEEDED", limit: this.limit } },
      );
    }
    this.#remaining--;
  }
}
