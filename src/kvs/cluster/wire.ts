// Fragment events as they travel through a Redis Stream: the parsed metadata (never media bytes),
// with the fragment number and continuation token as fields of their own so a new lease holder
// can resume from the last entry without parsing it.
import type { GetMediaFragment } from "../../mkv/getmedia/types.ts";
import {
  ClientLimitExceededError,
  ConnectionLimitExceededError,
  KvsError,
  NotAuthorizedError,
  ResourceNotFoundError,
  UpstreamUnavailableError,
} from "../core/errors.ts";

export type FleetEvent =
  | { type: "fragment"; number: bigint; token: string | null; fragment: GetMediaFragment }
  | { type: "end"; error: Error };

/** Field/value pairs of an XADD. */
export function fragmentFields(fragment: GetMediaFragment, fence: number): string[] {
  return [
    "type",
    "fragment",
    "number",
    fragment.fragmentNumber ?? "",
    "token",
    fragment.continuationToken ?? "",
    "fence",
    String(fence),
    "data",
    JSON.stringify(fragment),
  ];
}

export function endFields(error: Error, fence: number): string[] {
  const code = error instanceof KvsError ? error.code : error.name;
  return [
    "type",
    "end",
    "fence",
    String(fence),
    "error",
    JSON.stringify({ code, message: error.message }),
  ];
}

/** An entry of the Redis Stream, or null for one this version does not understand. */
export function parseEntry(fields: readonly string[]): FleetEvent | null {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2)
    map.set(fields[i] as string, fields[i + 1] as string);
  try {
    if (map.get("type") === "fragment") {
      const number = map.get("number") ?? "";
      if (!/^\d{1,128}$/.test(number)) return null;
      const fragment = JSON.parse(map.get("data") ?? "") as GetMediaFragment;
      return {
        type: "fragment",
        number: BigInt(number),
        token: map.get("token") || null,
        fragment,
      };
    }
    if (map.get("type") === "end") {
      const { code, message } = JSON.parse(map.get("error") ?? "{}") as {
        code?: string;
        message?: string;
      };
      return { type: "end", error: errorFromWire(code ?? "Error", message ?? "GetMedia ended") };
    }
  } catch {
    return null;
  }
  return null;
}

/** The typed error a holder's session ended with, as the subscribers of other instances see it. */
function errorFromWire(code: string, message: string): Error {
  switch (code) {
    case "ResourceNotFoundException":
      return new ResourceNotFoundError(message);
    case "ClientLimitExceededException":
      return new ClientLimitExceededError(message);
    case "ConnectionLimitExceededException":
      return new ConnectionLimitExceededError(message);
    case "NotAuthorizedException":
      return new NotAuthorizedError(message);
    default:
      return new UpstreamUnavailableError(message, { code });
  }
}
