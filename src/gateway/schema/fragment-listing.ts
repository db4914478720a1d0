// How a resolver lists a stream's fragments: ListFragments through the stream's data endpoint,
// each call counted in the operation's budget (and, for listings that may take many calls,
// paced per stream at KVS's 5 TPS), read through the settled-window cache shared by the
// process. A stream that answers ResourceNotFound is forgotten by the caches.

import { ResourceNotFoundError } from "../../kvs/core/errors.ts";
import {
  type ListFragmentsCall,
  listFragmentsVia,
  type TimestampType,
} from "../../kvs/core/fragments.ts";
import type { StreamListing } from "../../kvs/timeline/fragment-windows.ts";
import type { GatewayContext } from "../context.ts";

export interface ListingOptions {
  /** Wait for the stream's ListFragments pacer before each call (long listings). */
  paced?: boolean;
}

export function streamListing(
  context: GatewayContext,
  streamArn: string,
  timestampType: TimestampType,
  options: ListingOptions = {},
): StreamListing {
  const { services } = context;
  const list = listFragmentsVia(
    services.clients,
    context.endpoints,
    { arn: streamArn },
    timestampType,
    context.signal,
  );
  const upstream: ListFragmentsCall = async (start, end, nextToken) => {
    if (options.paced) await services.listFragmentsPacer.acquire(streamArn, context.signal);
    context.budget.spend();
    try {
      return await list(start, end, nextToken);
    } catch (error) {
      if (error instanceof ResourceNotFoundError) {
        services.fragmentWindows.forget(streamArn);
        services.streamCache.forget({ arn: streamArn });
      }
      throw error;
    }
  };
  return { streamArn, timestampType, upstream };
}

/** A ListFragmentsCall for the stream that reads settled windows from the cache. */
export function cachedListFragments(
  context: GatewayContext,
  streamArn: string,
  timestampType: TimestampType,
  options: ListingOptions = {},
): ListFragmentsCall {
  return context.services.fragmentWindows.listCall(
    streamListing(context, streamArn, timestampType, options),
  );
}
