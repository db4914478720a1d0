import { randomBytes } from "node:crypto";
import type { KvsClients } from "../core/clients.ts";
import type { EndpointCache } from "../core/endpoints.ts";
import { listFragmentsVia } from "../core/fragments.ts";
import type { StartGate } from "../core/pacer.ts";
import {
  ClipCache,
  type ClipCacheOptions,
  type ClipImmutabilityPolicy,
  DEFAULT_IMMUTABILITY,
} from "./cache.ts";
import { ClipDownloads } from "./downloads.ts";
import { ClipGovernor } from "./governor.ts";
import type { ClipPartWindowsOptions } from "./part-windows.ts";
import { type ClipPartLimits, GET_CLIP_LIMITS } from "./parts.ts";
import { ClipSigner, type ClipSigningKey } from "./signing.ts";
import { StitchedClips } from "./stitched-clips.ts";
import { createGetClipCall } from "./upstream.ts";

/**
 * The process-wide pieces behind clip URLs and downloads: the URL signer, the per-stream GetClip
 * governor, the cache of immutable clips and the shared in-flight downloads.
 */

export interface ClipOptions {
  /** GetClip calls per second per stream (default 1, the KVS limit). */
  getClipRatePerSecond?: number;
  /** GetClip calls that may wait per stream before ClientLimitExceeded (default 50). */
  queuePerStream?: number;
  cache?: ClipCacheOptions;
  immutability?: Partial<ClipImmutabilityPolicy>;
  /** Where a long range is cut into parts (default GetClip's 200 fragments / ~100 MB). */
  partLimits?: Partial<ClipPartLimits>;
  /** Bytes running downloads may retain for late joiners (default 256 MiB). */
  maxInFlightBytes?: number;
  /** Bytes of a clip that may still change kept for late joiners (default 8 MiB). */
  joinWindowBytes?: number;
  /** URL lifetime when a query does not say (default 1 hour). */
  defaultExpiresInSeconds?: number;
  /** Longest URL lifetime a query may ask for (default 7 days). */
  maxExpiresInSeconds?: number;
  /** How a whole-range download reads ListFragments (window length, pacing). */
  partWindows?: Omit<ClipPartWindowsOptions, "signal" | "limits" | "pace">;
}

export interface ClipServices {
  readonly signer: ClipSigner;
  readonly governor: ClipGovernor;
  readonly cache: ClipCache;
  readonly downloads: ClipDownloads;
  /** Whole-range and timelapse downloads, stitched from the parts' GetClips. */
  readonly stitched: StitchedClips;
  readonly partLimits: ClipPartLimits;
  readonly defaultExpiresInSeconds: number;
  readonly maxExpiresInSeconds: number;
  close(): Promise<void>;
}

export interface ClipServicesDeps {
  clients: KvsClients;
  endpoints: EndpointCache;
  /** Waits for a ListFragments call's turn on a stream (shared with the other listings). */
  listFragmentsPace?:
    | ((streamArn: string, signal: AbortSignal | undefined) => Promise<void>)
    | undefined;
  /** Newest first: the first signs, all verify. */
  signingKeys: readonly ClipSigningKey[];
  /**
   * Cluster mode: GetClip pacing per stream for the whole fleet (booked in Redis), asked after
   * this instance's governor gave the call its turn (see createGetClipCall).
   */
  fleetGetClipGate?: StartGate | undefined;
  options?: ClipOptions | undefined;
}

export function createClipServices({
  clients,
  endpoints,
  signingKeys,
  listFragmentsPace,
  fleetGetClipGate,
  options = {},
}: ClipServicesDeps): ClipServices {
  const signer = new ClipSigner({ keys: signingKeys.length > 0 ? signingKeys : [ephemeralKey()] });
  const governor = new ClipGovernor({
    ratePerSecond: options.getClipRatePerSecond ?? 1,
    marginMs: 50,
    maxQueuePerStream: options.queuePerStream ?? 50,
  });
  const cache = new ClipCache(options.cache ?? {});
  const getClip = createGetClipCall(clients, endpoints, fleetGetClipGate);
  const partLimits = { ...GET_CLIP_LIMITS, ...options.partLimits };
  const downloads = new ClipDownloads({
    getClip,
    governor,
    cache,
    immutability: { ...DEFAULT_IMMUTABILITY, ...options.immutability },
    ...(options.maxInFlightBytes === undefined
      ? {}
      : { maxInFlightBytes: options.maxInFlightBytes }),
    ...(options.joinWindowBytes === undefined ? {} : { joinWindowBytes: options.joinWindowBytes }),
  });
  const stitched = new StitchedClips({
    getClip,
    governor,
    cache,
    cacheable: (grant) => downloads.cacheable(grant),
    listFragments: (grant, signal) =>
      listFragmentsVia(
        clients,
        endpoints.loader(),
        { arn: grant.streamArn },
        grant.timestampType,
        signal,
      ),
    ...(listFragmentsPace === undefined ? {} : { paceListFragments: listFragmentsPace }),
    partWindows: { ...options.partWindows, limits: partLimits },
  });
  return {
    signer,
    governor,
    cache,
    downloads,
    stitched,
    partLimits,
    defaultExpiresInSeconds: options.defaultExpiresInSeconds ?? 3600,
    maxExpiresInSeconds: options.maxExpiresInSeconds ?? 7 * 24 * 3600,
    close: () => cache.close(),
  };
}

/** Without configured keys, links work until the process restarts: say so once. */
function ephemeralKey(): ClipSigningKey {
  console.warn(
    "CLIP_SIGNING_KEYS is not set: clip URLs are signed with a throwaway key and stop working when the gateway restarts",
  );
  return { id: "ephemeral", secret: randomBytes(32) };
}
