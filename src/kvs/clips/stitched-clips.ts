import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { type ClipCache, clipCacheKey } from "./cache.ts";
import type { ClipGrant } from "./signing.ts";
import {
  openStitchedDownload,
  type StitchedDownload,
  type StitchedDownloadDeps,
} from "./stitched-download.ts";

/**
 * Downloads of whole ranges (and timelapses), stitched from their parts' GetClips. A settled
 * range's output is also written, as it streams, to a file in the clip cache's spill directory
 * and registered there when complete, so the next download (and any byte range of it) comes from
 * disk. A range that may still change is streamed without a copy. Concurrent downloads of one
 * range are not shared: each is a series of GetClips, paced by the same per-stream governor.
 */

export interface StitchedClipsOptions extends Omit<StitchedDownloadDeps, "tee" | "onEnd"> {
  cache: ClipCache;
  /** Whether a download of this range started now may be cached (the range is settled). */
  cacheable: (grant: ClipGrant) => boolean;
}

export class StitchedClips {
  readonly #options: StitchedClipsOptions;

  constructor(options: StitchedClipsOptions) {
    this.#options = options;
  }

  /** Whether a download of `grant` would be kept for Range requests once complete. */
  cacheable(grant: ClipGrant): boolean {
    return this.#options.cache.maxStitchedBytes > 0 && this.#options.cacheable(grant);
  }

  async open(grant: ClipGrant): Promise<StitchedDownload> {
    const { cache, ...deps } = this.#options;
    const file = this.cacheable(grant) ? await cache.stitchedFile(clipCacheKey(grant)) : undefined;
    if (file === undefined) return openStitchedDownload(grant, deps);
    const maxBytes = cache.maxStitchedBytes;
    let out: WriteStream | undefined = createWriteStream(file.path);
    out.on("error", () => {});
    let size = 0;
    /** Past the bound, or the disk failed: the download goes on, without a copy. */
    const drop = () => {
      out?.destroy();
      out = undefined;
      void file.discard();
    };
    return openStitchedDownload(grant, {
      ...deps,
      tee: async (bytes) => {
        if (out === undefined) return;
        size += bytes.byteLength;
        if (size > maxBytes || out.destroyed) {
          drop();
          return;
        }
        if (!out.write(bytes)) await once(out, "drain").catch(drop);
      },
      onEnd: (outcome) => {
        const kept = out;
        if (kept === undefined) return;
        if (!outcome.ok) {
          drop();
          return;
        }
        kept.end(() => {
          if (kept.errored === null) void file.commit(outcome.size);
          else void file.discard();
        });
      },
    });
  }
}
