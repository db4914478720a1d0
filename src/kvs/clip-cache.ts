import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, rm, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { LRUCache } from "lru-cache";
import type { ClipGrant } from "./clip-signing.ts";

/**
 * Completed clip downloads, kept while they can't change. A clip whose range ended long enough ago
 * holds the same fragments on every call, so its MP4 is served again without a GetClip. Entries live
 * in memory in an lru-cache bounded in bytes; with a spill directory, entries pushed out of memory
 * move to files there (bounded too) instead of being dropped.
 */

export interface ClipImmutabilityPolicy {
  /**
   * How long after its end a SERVER_TIMESTAMP range is settled. Server timestamps are given on
   * arrival, so only fragments still being persisted can join a range in the past.
   */
  serverTimestampSettleMs: number;
  /**
   * How long after its end (by the gateway's clock) a PRODUCER_TIMESTAMP range is treated as settled.
   * A producer may upload old media at any time (a camera flushing its buffer after an outage), so
   * no age is a guarantee: this is a trade-off, bounded further by the cache's TTL.
   */
  producerTimestampSettleMs: number;
}

export const DEFAULT_IMMUTABILITY: ClipImmutabilityPolicy = {
  serverTimestampSettleMs: 5 * 60_000,
  producerTimestampSettleMs: 60 * 60_000,
};

export function isClipImmutable(
  grant: Pick<ClipGrant, "timestampType" | "endMs">,
  nowMs: number,
  policy: ClipImmutabilityPolicy = DEFAULT_IMMUTABILITY,
): boolean {
  const settle =
    grant.timestampType === "SERVER_TIMESTAMP"
      ? policy.serverTimestampSettleMs
      : policy.producerTimestampSettleMs;
  return grant.endMs + settle < nowMs;
}

/** One GetClip: same stream, selector and range (the URL's expiry doesn't change the bytes). */
export function clipCacheKey(
  grant: Pick<ClipGrant, "streamArn" | "timestampType" | "startMs" | "endMs">,
): string {
  return JSON.stringify([grant.streamArn, grant.timestampType, grant.startMs, grant.endMs]);
}

export interface ClipCacheOptions {
  /** Bound on the bytes held in memory (default 256 MiB). */
  maxMemoryBytes?: number;
  /** Largest clip kept (default 110 MB: one GetClip is at most about 100 MB). */
  maxEntryBytes?: number;
  /** How long an entry is served (default 1 hour): bounds staleness from retention expiry or late uploads. */
  ttlMs?: number;
  /** Directory for clips pushed out of memory; none by default. A private subdirectory is made in it. */
  spillDirectory?: string;
  /** Bound on the bytes in the spill directory (default 2 GiB). */
  maxSpillBytes?: number;
}

export interface CachedClip {
  readonly size: number;
  /** A fresh stream of the clip's bytes. */
  open(): Readable;
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
  readonly #maxEntryBytes: number;
  readonly #ttlMs: number;
  #fileCounter = 0;
  #privateDirectory: Promise<string> | undefined;
  #spillingBytes = 0;
  #closed = false;

  constructor(options: ClipCacheOptions = {}) {
    const maxMemoryBytes = options.maxMemoryBytes ?? 256 * 1024 * 1024;
    const ttl = options.ttlMs ?? 60 * 60_000;
    this.#ttlMs = ttl;
    this.#maxEntryBytes = options.maxEntryBytes ?? 110 * 1000 * 1000;
    this.#spillDirectory = options.spillDirectory;
    this.#memory = new LRUCache<string, MemoryEntry>({
      maxSize: Math.max(1, maxMemoryBytes),
      maxEntrySize: Math.max(1, Math.min(maxMemoryBytes, this.#maxEntryBytes)),
      sizeCalculation: (entry) => Math.max(1, entry.size),
      ttl,
      dispose: (entry, key, reason) => {
        if (reason === "evict") this.#spill(key, entry);
      },
    });
    if (options.spillDirectory !== undefined) {
      const maxSpillBytes = options.maxSpillBytes ?? 2 * 1024 * 1024 * 1024;
      this.#files = new LRUCache<string, FileEntry>({
        maxSize: Math.max(1, maxSpillBytes),
        maxEntrySize: Math.max(1, Math.min(maxSpillBytes, this.#maxEntryBytes)),
        sizeCalculation: (entry) => Math.max(1, entry.size),
        ttl,
        dispose: (entry) => {
          unlink(entry.path).catch(() => {});
        },
      });
    }
  }

  /** The largest clip the cache takes; a download that grows past it is not retained. */
  get maxEntryBytes(): number {
    return this.#maxEntryBytes;
  }

  get memoryBytes(): number {
    return this.#memory.calculatedSize;
  }

  get fileBytes(): number {
    return this.#files?.calculatedSize ?? 0;
  }

  get(key: string): CachedClip | undefined {
    const entry = this.#memory.get(key) ?? this.#spilling.get(key);
    if (entry !== undefined)
      return { size: entry.size, open: () => Readable.from(entry.chunks, { objectMode: false }) };
    const file = this.#files?.get(key);
    if (file !== undefined) return { size: file.size, open: () => createReadStream(file.path) };
    return undefined;
  }

  /** Keeps a complete clip. `chunks` must not be changed afterwards. */
  set(key: string, chunks: readonly Buffer[], size: number): void {
    if (this.#closed || size > this.#maxEntryBytes) return;
    const entry = { chunks, size, expiresAt: Date.now() + this.#ttlMs };
    this.#memory.set(key, entry);
    // lru-cache refuses an entry larger than its memory bound; it may still fit on disk.
    if (!this.#memory.has(key)) this.#spill(key, entry);
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

  #spill(key: string, entry: MemoryEntry): void {
    const files = this.#files;
    if (files === undefined || this.#spillDirectory === undefined || this.#closed) return;
    if (this.#spilling.has(key)) return;
    // Writes in progress are memory too; past the same bound again, an entry is simply dropped.
    if (this.#spillingBytes + entry.size > this.#memory.maxSize) return;
    const spillDirectory = this.#spillDirectory;
    this.#spilling.set(key, entry);
    this.#spillingBytes += entry.size;
    this.#privateDirectory ??= mkdtemp(join(spillDirectory, "kvs-clips-"));
    const write = async () => {
      const directory = await this.#privateDirectory;
      if (directory === undefined) return;
      // A unique name per write: replacing an entry disposes (unlinks) the old file.
      const name = `${createHash("sha256").update(key).digest("hex").slice(0, 32)}-${++this.#fileCounter}.mp4`;
      const path = join(directory, name);
      await writeFile(path, entry.chunks);
      const ttl = entry.expiresAt - Date.now();
      if (this.#closed || ttl <= 0) {
        await unlink(path).catch(() => {});
        return;
      }
      files.set(key, { path, size: entry.size }, { ttl });
    };
    write()
      .catch(() => {
        // A failed spill only costs a future GetClip.
      })
      .finally(() => {
        this.#spilling.delete(key);
        this.#spillingBytes -= entry.size;
      });
  }
}
