import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { afterEach, describe, expect, it } from "vitest";
import { ClipCache, clipCacheKey, isClipImmutable } from "../../../src/kvs/clips/cache.ts";
import { ClipDownloads, type GetClipCall } from "../../../src/kvs/clips/downloads.ts";
import { ClipGovernor } from "../../../src/kvs/clips/governor.ts";
import type { ClipGrant } from "../../../src/kvs/clips/signing.ts";
import { ResourceNotFoundError } from "../../../src/kvs/core/errors.ts";

// Unit tests of the sharing, caching and backpressure logic with a scripted upstream; the
// end-to-end tests in this directory run the same code against the local backend over HTTP.

const NOW = Date.now();
const PAST: ClipGrant = {
  streamArn: "arn:aws:kinesisvideo:us-east-1:123456789012:stream/cam/1",
  timestampType: "SERVER_TIMESTAMP",
  startMs: NOW - 3_600_000,
  endMs: NOW - 3_590_000,
  expiresAtMs: NOW + 3_600_000,
};
const RECENT: ClipGrant = { ...PAST, startMs: NOW - 20_000, endMs: NOW - 10_000 };

/** An upstream GetClip whose body the test feeds chunk by chunk. */
class ScriptedUpstream {
  readonly calls: Array<{ grant: ClipGrant; signal: AbortSignal; body: PassThrough }> = [];
  failWith: unknown;

  readonly getClip: GetClipCall = async (grant, signal) => {
    if (this.failWith !== undefined) throw this.failWith;
    const body = new PassThrough({ highWaterMark: 16 });
    signal.addEventListener("abort", () => body.destroy(), { once: true });
    this.calls.push({ grant, signal, body });
    return { body, contentLength: undefined };
  };

  body(index = 0): PassThrough {
    const call = this.calls[index];
    if (!call) throw new Error(`no upstream call #${index}`);
    return call.body;
  }
}

function downloads(upstream: ScriptedUpstream, cache = new ClipCache(), maxInFlightBytes?: number) {
  return new ClipDownloads({
    getClip: upstream.getClip,
    governor: new ClipGovernor({ ratePerSecond: 1000 }),
    cache,
    ...(maxInFlightBytes === undefined ? {} : { maxInFlightBytes }),
  });
}

async function collect(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Resolves once `body` has yielded `bytes` bytes, keeping what it read. */
function reader(body: Readable) {
  const chunks: Buffer[] = [];
  let waiters: Array<{ bytes: number; resolve: () => void }> = [];
  body.on("data", (chunk: Buffer) => {
    chunks.push(chunk);
    const have = Buffer.concat(chunks).byteLength;
    const ready = waiters.filter((w) => w.bytes <= have);
    waiters = waiters.filter((w) => w.bytes > have);
    for (const waiter of ready) waiter.resolve();
  });
  const ended = new Promise<void>((resolve, reject) => {
    body.on("end", resolve);
    body.on("error", reject);
  });
  return {
    text: () => Buffer.concat(chunks).toString(),
    ended,
    has: (bytes: number) =>
      new Promise<void>((resolve) => {
        if (Buffer.concat(chunks).byteLength >= bytes) resolve();
        else waiters.push({ bytes, resolve });
      }),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

const temporaryDirectories: string[] = [];
afterEach(async () => {
  await Promise.all(
    temporaryDirectories.splice(0).map((dir) => rm(dir, { recursive: true, force: true })),
  );
});

describe("ClipDownloads", () => {
  it("streams one upstream call and keeps an immutable clip for the next download", async () => {
    const upstream = new ScriptedUpstream();
    const clips = downloads(upstream);
    const first = clips.open(PAST);
    expect(first.source).toBe("upstream");
    await first.ready;
    upstream.body().end("hello clip");
    expect((await collect(first.body)).toString()).toBe("hello clip");

    const second = clips.open(PAST);
    expect(second.source).toBe("cache");
    expect(await second.ready).toEqual({ contentLength: 10 });
    expect((await collect(second.body)).toString()).toBe("hello clip");
    expect(upstream.calls).toHaveLength(1);
  });

  it("does not keep a clip that may still change, but shares it while it runs", async () => {
    const upstream = new ScriptedUpstream();
    const clips = downloads(upstream);
    const first = clips.open(RECENT);
    const second = clips.open(RECENT);
    expect(second.source).toBe("shared");
    await first.ready;
    upstream.body().end("recent");
    expect((await collect(first.body)).toString()).toBe("recent");
    expect((await collect(second.body)).toString()).toBe("recent");
    const third = clips.open(RECENT);
    expect(third.source).toBe("upstream");
    await third.ready;
    upstream.body(1).end("later");
    expect((await collect(third.body)).toString()).toBe("later");
    expect(upstream.calls).toHaveLength(2);
  });

  it("makes one upstream call for 100 concurrent downloads of a clip", async () => {
    const upstream = new ScriptedUpstream();
    const clips = downloads(upstream);
    const opened = Array.from({ length: 100 }, () => clips.open(PAST));
    await Promise.all(opened.map((d) => d.ready));
    upstream.body().end("shared bytes");
    const bodies = await Promise.all(opened.map((d) => collect(d.body)));
    expect(new Set(bodies.map(String))).toEqual(new Set(["shared bytes"]));
    expect(upstream.calls).toHaveLength(1);
  });

  it("gives a late joiner the bytes already received at once, then the rest as they come", async () => {
    const upstream = new ScriptedUpstream();
    const clips = downloads(upstream);
    const early = clips.open(PAST);
    await early.ready;
    const earlyReader = reader(early.body);
    upstream.body().write("part one|");
    await earlyReader.has(9);

    const late = clips.open(PAST);
    expect(late.source).toBe("shared");
    const lateReader = reader(late.body);
    await lateReader.has(9);
    expect(lateReader.text()).toBe("part one|");

    upstream.body().write("part two|");
    await lateReader.has(18);
    upstream.body().end("end");
    await Promise.all([earlyReader.ended, lateReader.ended]);
    expect(lateReader.text()).toBe("part one|part two|end");
    expect(earlyReader.text()).toBe("part one|part two|end");
  });

  it("reads upstream no faster than the reader takes it", async () => {
    let produced = 0;
    const chunk = Buffer.alloc(1024, 1);
    const getClip: GetClipCall = async (_grant, signal) => {
      const body = new Readable({
        highWaterMark: 1024,
        read() {
          produced++;
          this.push(produced > 1000 ? null : chunk);
        },
      });
      signal.addEventListener("abort", () => body.destroy(), { once: true });
      return { body, contentLength: undefined };
    };
    const clips = new ClipDownloads({
      getClip,
      governor: new ClipGovernor(),
      cache: new ClipCache(),
    });
    const download = clips.open(PAST);
    await download.ready;
    // Nobody reads the body: only a few buffers' worth may be pulled from upstream.
    for (let i = 0; i < 20; i++) await tick();
    expect(produced).toBeLessThan(40);
    const got = await collect(download.body);
    expect(got.byteLength).toBe(1000 * 1024);
  });

  it("aborts the upstream call when the last reader leaves", async () => {
    const upstream = new ScriptedUpstream();
    const clips = downloads(upstream);
    const a = clips.open(PAST);
    const b = clips.open(PAST);
    await a.ready;
    upstream.body().write("some bytes");
    a.body.destroy();
    await tick();
    expect(upstream.calls[0]?.signal.aborted).toBe(false);
    b.body.destroy();
    await tick();
    expect(upstream.calls[0]?.signal.aborted).toBe(true);
    expect(upstream.body().destroyed).toBe(true);
    // An aborted download is not kept, and the next one starts afresh.
    const c = clips.open(PAST);
    expect(c.source).toBe("upstream");
    c.body.destroy();
  });

  it("gives up a queued call when its only reader leaves before the governor's turn", async () => {
    const upstream = new ScriptedUpstream();
    const governor = new ClipGovernor({ ratePerSecond: 1 });
    const clips = new ClipDownloads({
      getClip: upstream.getClip,
      governor,
      cache: new ClipCache(),
    });
    const first = clips.open(PAST);
    await first.ready;
    const queued = clips.open(RECENT);
    await tick();
    expect(governor.queued(PAST.streamArn)).toBe(1);
    queued.body.destroy();
    await expect(queued.ready).rejects.toMatchObject({ name: "AbortError" });
    expect(governor.queued(PAST.streamArn)).toBe(0);
    first.body.destroy();
  });

  it("rejects `ready` with the upstream error and keeps nothing", async () => {
    const upstream = new ScriptedUpstream();
    upstream.failWith = new ResourceNotFoundError("No fragments found in the range");
    const clips = downloads(upstream);
    const download = clips.open(PAST);
    await expect(download.ready).rejects.toBeInstanceOf(ResourceNotFoundError);
    await tick();
    expect(download.body.destroyed).toBe(true);
    upstream.failWith = undefined;
    const retry = clips.open(PAST);
    expect(retry.source).toBe("upstream");
    retry.body.destroy();
  });

  it("fails the body when upstream breaks mid-clip, and keeps nothing", async () => {
    const upstream = new ScriptedUpstream();
    const clips = downloads(upstream);
    const download = clips.open(PAST);
    await download.ready;
    const collected = collect(download.body);
    upstream.body().write("half");
    await tick();
    upstream.body().destroy(new Error("socket hang up"));
    await expect(collected).rejects.toThrow("socket hang up");
    expect(clips.open(PAST).source).toBe("upstream");
  });

  it("stops retaining a clip past the entry bound: no joiners, no cache, bounded memory", async () => {
    const upstream = new ScriptedUpstream();
    const clips = downloads(upstream, new ClipCache({ maxEntryBytes: 100 }));
    const big = clips.open(PAST);
    await big.ready;
    const sink: Buffer[] = [];
    const done = pipeline(
      big.body,
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          sink.push(chunk);
          callback();
        },
      }),
    );
    for (let i = 0; i < 10; i++) {
      upstream.body().write(Buffer.alloc(50, i));
      await tick();
    }
    expect(clips.inFlightBytes).toBeLessThanOrEqual(100);
    const other = clips.open(PAST);
    expect(other.source).toBe("upstream");
    other.body.destroy();
    upstream.body().end();
    await done;
    expect(Buffer.concat(sink).byteLength).toBe(500);
    expect(clips.inFlightBytes).toBe(0);
    expect(clips.open(PAST).source).toBe("upstream");
  });

  it("keeps only a join window of a clip that may still change", async () => {
    const upstream = new ScriptedUpstream();
    const clips = new ClipDownloads({
      getClip: upstream.getClip,
      governor: new ClipGovernor({ ratePerSecond: 1000 }),
      cache: new ClipCache(),
      joinWindowBytes: 100,
    });
    const first = clips.open(RECENT);
    await first.ready;
    const firstReader = reader(first.body);
    upstream.body().write(Buffer.alloc(60));
    await firstReader.has(60);
    const joiner = clips.open(RECENT);
    expect(joiner.source).toBe("shared");
    const joinerReader = reader(joiner.body);
    upstream.body().write(Buffer.alloc(60));
    await Promise.all([firstReader.has(120), joinerReader.has(120)]);
    await tick();
    // Past the window: nothing kept, and a newcomer gets its own GetClip.
    expect(clips.inFlightBytes).toBe(0);
    const late = clips.open(RECENT);
    expect(late.source).toBe("upstream");
    late.body.destroy();
    upstream.body().end();
    await Promise.all([firstReader.ended, joinerReader.ended]);
    expect(joinerReader.text()).toBe(firstReader.text());
  });

  it("caches a clip larger than the memory cache on disk, counting it in flight until written", async () => {
    const directory = await mkdtemp(join(tmpdir(), "clip-cache-test-"));
    temporaryDirectories.push(directory);
    const cache = new ClipCache({ maxMemoryBytes: 100, spillDirectory: directory });
    const upstream = new ScriptedUpstream();
    const clips = downloads(upstream, cache);
    const first = clips.open(PAST);
    await first.ready;
    const collected = collect(first.body);
    const clip = Buffer.from("0123456789".repeat(50));
    upstream.body().write(clip.subarray(0, 250));
    upstream.body().end(clip.subarray(250));
    expect(await collected).toEqual(clip);
    // The file is written on a later turn of the event loop; until then the bytes are in flight.
    expect(clips.inFlightBytes).toBe(500);
    for (let i = 0; i < 100 && cache.fileBytes === 0; i++)
      await new Promise((r) => setTimeout(r, 5));
    expect(cache.fileBytes).toBe(500);
    expect(cache.memoryBytes).toBe(0);
    expect(clips.inFlightBytes).toBe(0);
    const second = clips.open(PAST);
    expect(second.source).toBe("cache");
    expect(await second.ready).toEqual({ contentLength: 500 });
    expect(await collect(second.body)).toEqual(clip);
    expect(upstream.calls).toHaveLength(1);
    await cache.close();
  });

  it("bounds the bytes retained by all running downloads together", async () => {
    const upstream = new ScriptedUpstream();
    const clips = downloads(upstream, new ClipCache(), 120);
    const a = clips.open(PAST);
    const b = clips.open({ ...PAST, startMs: PAST.startMs + 1 });
    await Promise.all([a.ready, b.ready]);
    const readers = [reader(a.body), reader(b.body)];
    upstream.body(0).write(Buffer.alloc(100));
    upstream.body(1).write(Buffer.alloc(100));
    await Promise.all(readers.map((r) => r.has(100)));
    expect(clips.inFlightBytes).toBeLessThanOrEqual(220);
    // The second download went over the shared bound and streams without retaining.
    expect(clips.open({ ...PAST, startMs: PAST.startMs + 1 }).source).toBe("upstream");
    expect(clips.open(PAST).source).toBe("shared");
    upstream.body(0).end();
    upstream.body(1).end();
    await Promise.all(readers.map((r) => r.ended));
  });
});

describe("ClipCache", () => {
  const key = (n: number) => clipCacheKey({ ...PAST, startMs: PAST.startMs + n });

  it("evicts the least recently used clips past its byte bound", () => {
    const cache = new ClipCache({ maxMemoryBytes: 250 });
    cache.set(key(1), [Buffer.alloc(100)], 100);
    cache.set(key(2), [Buffer.alloc(100)], 100);
    cache.get(key(1));
    cache.set(key(3), [Buffer.alloc(100)], 100);
    expect(cache.get(key(2))).toBeUndefined();
    expect(cache.get(key(1))?.size).toBe(100);
    expect(cache.memoryBytes).toBe(200);
  });

  it("spills evicted clips to its directory, serves them from there, and cleans up", async () => {
    const directory = await mkdtemp(join(tmpdir(), "clip-cache-test-"));
    temporaryDirectories.push(directory);
    const cache = new ClipCache({ maxMemoryBytes: 150, spillDirectory: directory });
    cache.set(key(1), [Buffer.from("first "), Buffer.from("clip")], 10);
    cache.set(key(2), [Buffer.alloc(100, 2)], 100);
    cache.set(key(3), [Buffer.alloc(100, 3)], 100);
    expect(cache.get(key(1))).toBeDefined();
    // The evicted clip is served (from memory while its file is written, then from the file).
    for (let i = 0; i < 50 && cache.fileBytes < 110; i++)
      await new Promise((r) => setTimeout(r, 5));
    expect(cache.fileBytes).toBe(110);
    expect((await collect(cache.get(key(1))?.open() ?? Readable.from([]))).toString()).toBe(
      "first clip",
    );
    expect((await readdir(directory)).length).toBe(1);
    await cache.close();
    expect(await readdir(directory)).toEqual([]);
  });

  it("writes a clip too large for memory but within the directory bound straight to disk", async () => {
    const directory = await mkdtemp(join(tmpdir(), "clip-cache-test-"));
    temporaryDirectories.push(directory);
    const cache = new ClipCache({
      maxMemoryBytes: 100,
      spillDirectory: directory,
      maxSpillBytes: 1000,
    });
    expect(cache.maxEntryBytes).toBe(1000);
    const bytes = Buffer.alloc(500, 7);
    const written = cache.set(key(1), [bytes.subarray(0, 200), bytes.subarray(200)], 500);
    // Served from the caller's chunks while the file is written.
    expect(cache.get(key(1))?.size).toBe(500);
    await written;
    expect(cache.memoryBytes).toBe(0);
    expect(cache.fileBytes).toBe(500);
    expect(await collect(cache.get(key(1))?.open() ?? Readable.from([]))).toEqual(bytes);
    // Over the directory bound too: not kept.
    await cache.set(key(2), [Buffer.alloc(1001)], 1001);
    expect(cache.get(key(2))).toBeUndefined();
    await cache.close();
  });

  it("opens byte ranges of a clip in memory and on disk", async () => {
    const directory = await mkdtemp(join(tmpdir(), "clip-cache-test-"));
    temporaryDirectories.push(directory);
    const cache = new ClipCache({ maxMemoryBytes: 30, spillDirectory: directory });
    const text = "abcdefghij0123456789ABCDEFGHIJ";
    const chunks = [
      Buffer.from(text.slice(0, 7)),
      Buffer.from(text.slice(7, 20)),
      Buffer.from(text.slice(20)),
    ];
    await cache.set(key(1), chunks, 30);
    await cache.set(key(2), [Buffer.from("0123456789".repeat(4))], 40);
    const inMemory = cache.get(key(1));
    const onDisk = cache.get(key(2));
    expect(cache.memoryBytes).toBe(30);
    expect(cache.fileBytes).toBe(40);
    const read = async (clip: typeof inMemory, range: { start: number; end: number }) =>
      (await collect(clip?.open(range) ?? Readable.from([]))).toString();
    for (const [start, end] of [
      [0, 0],
      [0, 29],
      [5, 8],
      [7, 19],
      [6, 7],
      [19, 20],
      [29, 29],
    ] as const) {
      expect(await read(inMemory, { start, end })).toBe(text.slice(start, end + 1));
    }
    expect(await read(onDisk, { start: 12, end: 15 })).toBe("2345");
    await cache.close();
  });

  it("takes no clip larger than memory when it has no directory", () => {
    const cache = new ClipCache({ maxMemoryBytes: 100 });
    expect(cache.maxEntryBytes).toBe(100);
  });

  it("does not keep a clip over the entry bound", () => {
    const cache = new ClipCache({ maxEntryBytes: 50 });
    cache.set(key(1), [Buffer.alloc(60)], 60);
    expect(cache.get(key(1))).toBeUndefined();
  });
});

describe("isClipImmutable", () => {
  it("settles SERVER_TIMESTAMP ranges a few minutes after their end", () => {
    const policy = { serverTimestampSettleMs: 300_000, producerTimestampSettleMs: 3_600_000 };
    const end = NOW - 301_000;
    expect(isClipImmutable({ timestampType: "SERVER_TIMESTAMP", endMs: end }, NOW, policy)).toBe(
      true,
    );
    expect(
      isClipImmutable({ timestampType: "SERVER_TIMESTAMP", endMs: NOW - 299_000 }, NOW, policy),
    ).toBe(false);
    expect(isClipImmutable({ timestampType: "PRODUCER_TIMESTAMP", endMs: end }, NOW, policy)).toBe(
      false,
    );
    expect(
      isClipImmutable({ timestampType: "PRODUCER_TIMESTAMP", endMs: NOW - 3_601_000 }, NOW, policy),
    ).toBe(true);
  });
});
