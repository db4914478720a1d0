// Retention in the durable store under a fake clock: a sweep that meets an append never loses an
// acknowledged fragment, and producer headers go (from memory and from headers.log) once no
// retained fragment and no open PutMedia connection refers to them.

import { stat } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type DiskLocation, DiskMedia } from "../../../src/local-kvs/store/disk-media.ts";
import { LocalFragmentStore } from "../../../src/local-kvs/store/local-fragment-store.ts";
import type { NewFragment, StreamRecord } from "../../../src/local-kvs/store/types.ts";
import { removeScratchDirectory, scratchDirectory } from "../../support/scratch.ts";

const HOUR = 3_600_000;
const T0 = 1_700_000_000_000;
const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => Buffer.from(data).toString();

/**
 * Disk media that runs `duringDrop` when a retention drop starts and gives it up to `waitMs` to
 * finish before dropping: the window in which an append used to land in a segment being deleted.
 */
class DropWindowMedia extends DiskMedia {
  duringDrop: (() => Promise<unknown>) | undefined;

  override async dropMediaBefore(
    stream: StreamRecord,
    oldestKept: DiskLocation | undefined,
  ): Promise<void> {
    const during = this.duringDrop?.();
    this.duringDrop = undefined;
    if (during) {
      await Promise.race([during.catch(() => {}), new Promise((r) => setTimeout(r, 100))]);
    }
    await super.dropMediaBefore(stream, oldestKept);
  }
}

describe("durable store retention", () => {
  let dataDir: string;
  let media: DropWindowMedia;
  let store: LocalFragmentStore<DiskLocation>;
  const clock = { ms: T0 };

  const open = async () => {
    media = new DropWindowMedia(dataDir);
    store = await LocalFragmentStore.open(media, {
      region: "us-east-1",
      accountId: "123456789012",
      now: () => clock.ms,
    });
    return store;
  };

  const fragment = (headerId: string, text: string): NewFragment => ({
    headerId,
    clusterBytes: bytes(text),
    producerTimestampMs: clock.ms,
    serverTimestampMs: clock.ms,
    durationMs: 1000,
    clusterTimecode: 0,
    blockCount: 1,
    keyframeCount: 1,
    ingestionId: 1,
  });

  beforeEach(async () => {
    clock.ms = T0;
    dataDir = await scratchDirectory("kvs-retention-store-");
    await open();
  });
  afterEach(async () => {
    await store?.close();
    await removeScratchDirectory(dataDir);
  });

  it("keeps a fragment appended while a sweep drops every expired one, also after a restart", async () => {
    const stream = await store.createStream({ streamName: "race", dataRetentionInHours: 1 }, T0);
    const headerId = await store.appendHeader(stream.streamArn, bytes("header"), [], 1e6);
    for (const text of ["old-1", "old-2", "old-3"]) {
      await store.appendFragment(stream.streamArn, fragment(headerId, text), clock.ms);
    }
    clock.ms = T0 + 2 * HOUR;

    let appended: Promise<unknown> | undefined;
    media.duringDrop = () => {
      appended = store.appendFragment(stream.streamArn, fragment(headerId, "fresh"), clock.ms);
      return appended;
    };
    expect(await store.enforceRetention(clock.ms)).toBe(3);
    expect(appended).toBeDefined();
    const record = await (appended as ReturnType<typeof store.appendFragment>);

    expect(store.listFragments(stream.streamArn).map((f) => f.fragmentNumber)).toEqual([
      record.fragmentNumber,
    ]);
    expect(text(await store.readCluster(record))).toBe("fresh");

    await store.close();
    await open();
    const [reloaded] = store.listFragments(stream.streamArn);
    expect(reloaded?.fragmentNumber).toBe(record.fragmentNumber);
    expect(text(await store.readCluster(reloaded as typeof record))).toBe("fresh");
  });

  it("keeps appending to the segment whose older fragments expired", async () => {
    const stream = await store.createStream({ streamName: "partial", dataRetentionInHours: 1 }, T0);
    const headerId = await store.appendHeader(stream.streamArn, bytes("header"), [], 1e6);
    await store.appendFragment(stream.streamArn, fragment(headerId, "expires"), clock.ms);
    clock.ms = T0 + HOUR / 2;
    const kept = await store.appendFragment(stream.streamArn, fragment(headerId, "kept"), clock.ms);
    clock.ms = T0 + HOUR + 1000;
    expect(await store.enforceRetention(clock.ms)).toBe(1);
    const next = await store.appendFragment(stream.streamArn, fragment(headerId, "next"), clock.ms);
    expect(text(await store.readCluster(kept))).toBe("kept");
    expect(text(await store.readCluster(next))).toBe("next");
  });

  it("forgets producer headers no retained fragment uses and compacts headers.log", async () => {
    const stream = await store.createStream({ streamName: "heads", dataRetentionInHours: 1 }, T0);
    const arn = stream.streamArn;
    const big = new Uint8Array(100_000).fill(7);
    const oldHeader = await store.appendHeader(arn, big, [], 1e6);
    await store.appendFragment(arn, fragment(oldHeader, "old"), clock.ms);
    store.releaseHeader(oldHeader);
    clock.ms = T0 + HOUR / 2;
    const newHeader = await store.appendHeader(arn, bytes("new header"), [], 1e6);
    const kept = await store.appendFragment(arn, fragment(newHeader, "new"), clock.ms);
    store.releaseHeader(newHeader);
    // An open connection's header that has no fragment yet must stay.
    const pending = await store.appendHeader(arn, bytes("pending header"), [], 1e6);

    const log = path.join(dataDir, "streams", `s-heads-${T0}`, "headers.log");
    const sizeBefore = (await stat(log)).size;
    clock.ms = T0 + HOUR + 1000;
    expect(await store.enforceRetention(clock.ms)).toBe(1);

    await expect(store.readHeader(oldHeader)).rejects.toThrow();
    expect(text((await store.readHeader(newHeader)).bytes)).toBe("new header");
    expect(text((await store.readHeader(pending)).bytes)).toBe("pending header");
    expect((await stat(log)).size).toBeLessThan(sizeBefore - big.length);

    // The same header sent again after it was forgotten is stored again under its id.
    expect(await store.appendHeader(arn, big, [], 1e6)).toBe(oldHeader);
    expect((await store.readHeader(oldHeader)).bytes).toEqual(big);
    store.releaseHeader(oldHeader);

    store.releaseHeader(pending);
    await store.enforceRetention(clock.ms);
    await expect(store.readHeader(pending)).rejects.toThrow();
    await expect(store.readHeader(oldHeader)).rejects.toThrow();

    await store.close();
    await open();
    await expect(store.readHeader(oldHeader)).rejects.toThrow();
    await expect(store.readHeader(pending)).rejects.toThrow();
    expect(text((await store.readHeader(newHeader)).bytes)).toBe("new header");
    expect(text(await store.readCluster(kept))).toBe("new");
  });
});
