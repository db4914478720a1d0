import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, rm, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { LRUCache } from "lru-cache";
import { DEFAULT_SETTLE_POLICY, isSettled, type SettlePolicy } from "../core/settled.ts";
import type { ClipGrant } from "./signing.ts";
import { spillDirectoryPrefix } from "./spill-dirs.ts";

/**
 * Completed clip downloads, kept while they can't change. A clip whose range ended long enough ago
 * holds the same fragments on every call, so its MP4 is served again without a GetClip. Entries live
 * in memory in an lru-cache bounded in bytes; with a spill directory, entries pushed out of memory
 * move to files there (bounded too) instead of being dropped, and a clip too large for the memory
 * bound but within the directory's is written there directly.
 */

/** Clips are cached once their range is settled (see core/settled.ts). */
export type ClipImmutabilityPolicy = SettlePolicy;

export const DEFAULT_IMMUTABILITY: ClipImmutabilityPolicy = DEFAULT_SETTLE_POLICY;

export function isClipImmutable(
  grant: Pick<ClipGrant, "timestampType" | "endMs">,
  nowMs: number,
  policy: ClipImmutabilityPolicy = DEFAULT_IMMUTABILITY,
): boolean {
  return isSettled(grant.timestampType, grant.endMs, nowMs, policy);
}

/**
 * One clip: same stream, selector, range and assembly (a single GetClip, the stitched whole, a
 * timelapse at some speed); the URL's expiry doesn't change the bytes.
 */
export function clipCacheKey(
  grant: Pick<ClipGrant, "streamArn" | "timestampType" | "startMs" | "endMs" | "assembly">,
): string {
  const assembly = grant.assembly;
  return JSON.stringify([
    grant.streamArn,
    grant.timestampType,
    grant.startMs,
    grant.endMs,
    ...(assembly === undefined ? [] : [assembly.kind === "whole" ? "whole" : assembly.speed]),
  ]);
}

export interface ClipCacheOptions {
  /** Bound on the bytes held in memory (default 256 MiB). */
  maxMemoryBytes?: number;
  /** Largest clip kept (default 110 MB: one GetClip is at most about 100 MB). */
  maxEntryBytes?: number;
  /** How long an entry is served (default 1 hour): bounds staleness from retention expiry or late uploads. */
  ttlMs?: number;
  /**
   * Directory for clips pushed out of memory; none by default. A private subdirectory is made in
   * it (see spill-dirs.ts), removed on close.
   */
  spillDirectory?: string;
  /** Bound on the bytes in the spill directory (default 2 GiB). */
  maxSpillBytes?: number;
  /**
   * Largest stitched clip (a whole range of many GetClips) kept in the spill directory (default a
   * quarter of `maxSpillBytes`). Such clips are cached on disk only, written as they stream.
   */
  maxStitchedBytes?: number;
}

/** Inclusive byte offsets within a clip, as in an HTTP Range. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface CachedClip {
  readonly size: number;
  /** A fresh stream of the clip's bytes, or of `range` of them (within the clip). */
  open(range?: ByteRange): Readable;
}

interface MemoryEntry {
  readonly chunks: readonly Buffer[];
  readonly size: number;
  /** Epoch ms after which the entry is not served; a spilled entry keeps it. */
  readonly expiresAt: number;
}

interface FileEntry {
  readonly path: string;
  readonly size: number;
}

export class ClipCache {
  readonly #memory: LRUCache<string, MemoryEntry>;
  readonly #files: LRUCache<string, FileEntry> | undefined;
  /** Entries on their way to disk, still served from memory. */
  readonly #spilling = new Map<string, MemoryEntry>();
  readonly #spillDirectory: string | undefined;
  readonly #ttlMs: number;
  #fileCounter = 0;
  #privateDirectory: Promise<string> | undefined;
  #spillingBytes = 0;
  #closed = false;
  readonly #maxEntryBytes: number;
  readonly #maxStitchedBytes: number;

  constructor(options: ClipCacheOptions = {}) {
    const maxMemoryBytes = options.maxMemoryBytes ?? 256 * 1024 * 1024;
    const ttl = options.ttlMs ?? 60 * 60_000;
    this.#ttlMs = ttl;
    const maxEntryBytes = options.maxEntryBytes ?? 110 * 1000 * 1000;
    this.#spillDirectory = options.spillDirectory;
    this.#memory = new LRUCache<string, MemoryEntry>({
      maxSize: Math.max(1, maxMemoryBytes),
      maxEntrySize: Math.max(1, Math.min(maxMemoryBytes, maxEntryBytes)),
      sizeCalculation: (entry) => Math.max(1, entry.size),
      ttl,
      dispose: (entry, key, reason) => {
        if (reason === "evict") this.#spill(key, entry);
      },
    });
    this.#maxStitchedBytes = 0;
    this.#maxEntryBytes = Math.min(maxMemoryBytes, maxEntryBytes);
    if (options.spillDirectory !== undefined) {
      const maxSpillBytes = options.maxSpillBytes ?? 2 * 1024 * 1024 * 1024;
      this.#maxEntryBytes = Math.max(1, Math.min(maxSpillBytes, maxEntryBytes));
      this.#maxStitchedBytes = Math.max(
        0,
        Math.min(maxSpillBytes, options.maxStitchedBytes ?? Math.floor(maxSpillBytes / 4)),
      );
      this.#files = new LRUCache<string, FileEntry>({
        maxSize: Math.max(1, maxSpillBytes),
        maxEntrySize: Math.max(1, this.#maxEntryBytes, this.#maxStitchedBytes),
        sizeCalculation: (entry) => Math.max(1, entry.size),
        ttl,
        dispose: (entry) => {
          unlink(entry.path).catch(() => {});
        },
      });
    }
  }

  /** The largest clip the cache takes (in memory or on disk); a download past it is not retained. */
  get maxEntryBytes(): number {
    return Math.max(this.#memory.maxEntrySize, this.#maxEntryBytes);
  }

  /** The largest stitched clip the cache takes (0 without a spill directory). */
  get maxStitchedBytes(): number {
    return this.#maxStitchedBytes;
  }

  /**
   * A file to write a stitched clip into while it streams, or undefined without a spill
   * directory. `commit` registers the finished file under `key` (or removes it when it grew past
   * `maxStitchedBytes` or the entry is gone stale meanwhile); `discard` removes it.
   */
  async stitchedFile(
    key: string,
  ): Promise<
    { path: string; commit(size: number): Promise<void>; discard(): Promise<void> } | undefined
  > {
    const files = this.#files;
    if (files === undefined || this.#spillDirectory === undefined || this.#closed) return undefined;
    // Named after this process's pid, like #write's: a pid-less name counts as an older gateway's
    // leftover, which any other gateway sharing CLIP_CACHE_DIR removes at its start.
    this.#privateDirectory ??= mkdtemp(spillDirectoryPrefix(this.#spillDirectory));
    const directory = await this.#privateDirectory;
    const path = join(directory, `${this.#fileName(key)}.stitched.mp4`);
    const discard = () => unlink(path).catch(() => {});
    return {
      path,
      discard,
      commit: async (size) => {
        if (this.#closed || size > this.#maxStitchedBytes) return discard();
        files.set(key, { path, size });
      },
    };
  }

  #fileName(key: string): string {
    // A unique name per write: replacing an entry disposes (unlinks) the old file.
    return `${createHash("sha256").update(key).digest("hex").slice(0, 32)}-${++this.#fileCounter}`;
  }

  /** Clips held, in memory and in files. */
  get size(): number {
    return this.#memory.size + (this.#files?.size ?? 0);
  }

  get memoryBytes(): number {
    return this.#memory.calculatedSize;
  }

  get fileBytes(): number {
    return this.#files?.calculatedSize ?? 0;
  }

  get(key: string): CachedClip | undefined {
    const entry = this.#memory.get(key) ?? this.#spilling.get(key);
    if (entry !== undefined) {
      return {
        size: entry.size,
        open: (range) => Readable.from(sliceChunks(entry.chunks, range), { objectMode: false }),
      };
    }
    const file = this.#files?.get(key);
    if (file !== undefined) {
      return {
        size: file.size,
        open: (range) => createReadStream(file.path, range === undefined ? {} : { ...range }),
      };
    }
    return undefined;
  }

  /**
   * Keeps a complete clip. `chunks` must not be changed afterwards. A clip too large for memory is
   * written to the spill directory; until the returned promise settles the cache still reads
   * `chunks` without counting them, so the caller must keep counting them as its own memory.
   */
  set(key: string, chunks: readonly Buffer[], size: number): Promise<void> {
    if (this.#closed || size > this.maxEntryBytes) return Promise.resolve();
    const entry = { chunks, size, expiresAt: Date.now() + this.#ttlMs };
    if (size <= this.#memory.maxEntrySize) {
      this.#memory.set(key, entry);
      return Promise.resolve();
    }
    return this.#write(key, entry, { counted: false });
  }

  /** Drops everything and removes the spill files. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#memory.clear();
    this.#files?.clear();
    this.#spilling.clear();
    const directory = await this.#privateDirectory?.catch(() => undefined);
    if (directory !== undefined) await rm(directory, { recursive: true, force: true });
  }

  /** An entry pushed out of memory moves to the spill directory, if it has one. */
  #spill(key: string, entry: MemoryEntry): void {
    // Writes in progress are memory too; past the same bound again, an entry is simply dropped.
    if (this.#spillingBytes + entry.size > this.#memory.maxSize) return;
    void this.#write(key, entry, { counted: true });
  }

  /**
   * Writes `entry` to its own file and registers it; served from memory meanwhile. `counted`: its
   * bytes count as the cache's own pending writes (else the caller still counts them).
   */
  async #write(key: string, entry: MemoryEntry, { counted }: { counted: boolean }): Promise<void> {
    const files = this.#files;
    const spillDirectory = this.#spillDirectory;
    if (files === undefined || spillDirectory === undefined || this.#closed) return;
    if (this.#spilling.has(key)) return;
    this.#spilling.set(key, entry);
    if (counted) this.#spillingBytes += entry.size;
    this.#privateDirectory ??= mkdtemp(spillDirectoryPrefix(spillDirectory));
    try {
      const directory = await this.#privateDirectory;
      const path = join(directory, `${this.#fileName(key)}.mp4`);
      await writeFile(path, entry.chunks);
      const ttl = entry.expiresAt - Date.now();
      if (this.#closed || ttl <= 0) {
        await unlink(path).catch(() => {});
        return;
      }
      files.set(key, { path, size: entry.size }, { ttl });
    } catch {
      // A failed write only costs a future GetClip.
    } finally {
      this.#spilling.delete(key);
      if (counted) this.#spillingBytes -= entry.size;
    }
  }
}

/** The chunks' bytes within `range` (all of them without one), as views: nothing is copied. */
function* sliceChunks(chunks: readonly Buffer[], range: ByteRange | undefined): Generator<Buffer> {
  if (range === undefined) {
    yield* chunks;
    return;
  }
  let offset = 0;
  for (const chunk of chunks) {
    const chunkEnd = offset + chunk.byteLength;
    if (chunkEnd > range.start && offset <= range.end) {
      yield chunk.subarray(
        Math.max(0, range.start - offset),
        Math.min(chunk.byteLength, range.end + 1 - offset),
      );
    }
    offset = chunkEnd;
    if (offset > range.end) return;
  }
}
