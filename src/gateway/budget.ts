// A per-operation bound on KVS calls, so one query (many aliases, fragments of a thousand
// streams) can't turn into an unbounded burst of upstream calls and throttle everyone else. The
// principal's calls over time are bounded too: each call also spends from its allowance
// (security/principal-limits.ts), so a loop of operations can't do what one operation may not.

import { GraphQLError } from "graphql";
import type { UpstreamCallAllowance } from "./security/principal-limits.ts";

export const DEFAULT_UPSTREAM_CALLS_PER_OPERATION = 500;

export class UpstreamBudget {
  #remaining: number;

  readonly limit: number;
  readonly #allowance: UpstreamCallAllowance | undefined;

  constructor(limit: number, allowance?: UpstreamCallAllowance) {
    this.limit = limit;
    this.#remaining = limit;
    this.#allowance = allowance;
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
    this.#allowance?.spend();
    this.#remaining--;
  }
}
