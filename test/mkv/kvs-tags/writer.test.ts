import { describe, expect, it } from "vitest";
import {
  formatTimestampSeconds,
  postClusterTags,
  preClusterTags,
} from "../../../src/mkv/kvs-tags/writer.ts";
import { fixture } from "../../support/fixtures.ts";

// Real GetMedia output: the first fragment of kinesis_video_renderer_example_output.mkv has its
// pre-cluster Tags at byte 524 and its post-cluster Tags at byte 149849 (expected.json).
describe("KVS Tags groups", () => {
  const capture = fixture("kinesis_video_renderer_example_output.mkv");
  const fragmentNumber = "91343852333181432392682062609776234230823574155";

  it("writes the pre-cluster group byte for byte as real KVS does", () => {
    const written = preClusterTags({
      fragmentNumber,
      serverTimestampMs: 1519423069070,
      producerTimestampMs: 1519423067997,
    });
    expect(Buffer.from(written).toString("hex")).toBe(
      Buffer.from(capture.subarray(524, 524 + written.length)).toString("hex"),
    );
    expect(524 + written.length).toBe(767); // the Cluster starts right after
  });

  it("writes the post-cluster group byte for byte as real KVS does", () => {
    const written = postClusterTags({
      millisBehindNow: 7336747,
      continuationToken: fragmentNumber,
    });
    expect(Buffer.from(written).toString("hex")).toBe(
      Buffer.from(capture.subarray(149849, 149849 + written.length)).toString("hex"),
    );
    // The next document's EBML header follows.
    expect([...capture.subarray(149849 + written.length, 149849 + written.length + 4)]).toEqual([
      0x1a, 0x45, 0xdf, 0xa3,
    ]);
  });

  it("formats timestamps as seconds with three decimals", () => {
    expect(formatTimestampSeconds(1511852109126)).toBe("1511852109.126");
    expect(formatTimestampSeconds(5000)).toBe("5.000");
    expect(formatTimestampSeconds(7)).toBe("0.007");
  });
});
