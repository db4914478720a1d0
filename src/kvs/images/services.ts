// The process-wide pieces behind Stream.images and the /images route: the shared, cached GetImages
// windows, the link signer (shared with clips), and the settings.
import type { KvsClients } from "../core/clients.ts";
import type { EndpointCache } from "../core/endpoints.ts";
import type { LinkSigner } from "../core/link-signing.ts";
import { createGetImagesCall } from "./upstream.ts";
import { type ImageCacheOptions, ImageWindows } from "./windows.ts";

export interface ImageOptions {
  cache?: ImageCacheOptions;
  /**
   * How far before the asked start GetImages is asked from (default 2000 ms, a typical fragment
   * duration): KVS may drop the first image of a range otherwise. Images before the start are dropped.
   */
  startOffsetMs?: number;
  /** Link lifetime when a query does not say (default 1 hour). */
  defaultExpiresInSeconds?: number;
  /** Longest link lifetime a query may ask for (default 1 day). */
  maxExpiresInSeconds?: number;
}

export interface ImageServices {
  readonly windows: ImageWindows;
  readonly signer: LinkSigner;
  readonly startOffsetMs: number;
  readonly defaultExpiresInSeconds: number;
  readonly maxExpiresInSeconds: number;
  close(): void;
}

export function createImageServices(deps: {
  clients: KvsClients;
  endpoints: EndpointCache;
  signer: LinkSigner;
  options?: ImageOptions | undefined;
}): ImageServices {
  const options = deps.options ?? {};
  const windows = new ImageWindows(
    createGetImagesCall(deps.clients, deps.endpoints),
    options.cache,
    Date.now,
    (outcome) => deps.clients.observer.cacheLookup("image", outcome),
  );
  return {
    windows,
    signer: deps.signer,
    startOffsetMs: options.startOffsetMs ?? 2000,
    defaultExpiresInSeconds: options.defaultExpiresInSeconds ?? 3600,
    maxExpiresInSeconds: options.maxExpiresInSeconds ?? 86_400,
    close: () => windows.close(),
  };
}
