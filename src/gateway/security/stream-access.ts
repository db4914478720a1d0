// Per-stream authorization, one rule for every field: a principal may touch a stream whose name
// matches one of its patterns. A forbidden stream is answered with NotAuthorized whether or not
// it exists, before any upstream call, so a principal learns nothing about streams it may not see.

import { NotAuthorizedError } from "../../kvs/core/errors.ts";
import type { Principal } from "./authenticator.ts";
import { streamNameOfArn } from "./stream-patterns.ts";

export function forbiddenStream(): NotAuthorizedError {
  return new NotAuthorizedError(
    "Not authorized for this stream, or it does not exist (your credential lists the streams you may see).",
  );
}

/** The stream name a `name`/`arn` argument pair selects, when it can be told without KVS. */
export function streamNameOfArgs(args: {
  name?: string | null;
  arn?: string | null;
}): string | undefined {
  if (typeof args.name === "string") return args.name;
  if (typeof args.arn === "string") return streamNameOfArn(args.arn);
  return undefined;
}

/** Whether `principal` may read the stream named `name` (an unnamed stream: nobody but all-streams). */
export function mayRead(principal: Principal, name: string | undefined): boolean {
  return name === undefined ? principal.streams.allowsAll : principal.streams.allows(name);
}
