// StreamArnCache: names resolve to ARNs once per process (concurrent askers share the call),
// ARNs pass through, failures are not remembered, and a forgotten name is asked afresh.

import { describe, expect, it } from "vitest";
import { ResourceNotFoundError } from "../../../src/kvs/core/errors.ts";
import { StreamArnCache } from "../../../src/kvs/core/stream-arns.ts";
import type { StreamDescription } from "../../../src/kvs/core/streams.ts";
import type { StreamRef } from "../../../src/kvs/core/validation.ts";

const ARN = "arn:aws:kinesisvideo:us-east-1:123456789012:stream/cam/1700000000000";

/** A DescribeStream stand-in that counts calls and answers from `arns` (name → ARN). */
function describer(arns: Map<string, string>) {
  const calls: StreamRef[] = [];
  const describe = async (ref: StreamRef): Promise<StreamDescription> => {
    calls.push(ref);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const name = "name" in ref ? ref.name : "";
    const arn = arns.get(name);
    if (!arn) throw new ResourceNotFoundError(`no stream ${name}`);
    return {
      name,
      arn,
      status: "ACTIVE",
      mediaType: null,
      kmsKeyId: null,
      dataRetentionInHours: 24,
      version: "1",
      createdAt: new Date(0),
      deviceName: null,
    };
  };
  return { calls, describe };
}

describe("StreamArnCache", () => {
  it("resolves a name once for concurrent and later askers; ARNs need no call", async () => {
    const cache = new StreamArnCache();
    const { calls, describe } = describer(new Map([["cam", ARN]]));
    const resolved = await Promise.all(
      Array.from({ length: 20 }, () => cache.resolve({ name: "cam" }, describe)),
    );
    expect(new Set(resolved.map((ref) => ref.arn))).toEqual(new Set([ARN]));
    expect(await cache.resolve({ name: "cam" }, describe)).toEqual({ arn: ARN });
    expect(await cache.resolve({ arn: ARN }, describe)).toEqual({ arn: ARN });
    expect(calls).toEqual([{ name: "cam" }]);
  });

  it("does not remember failures, and asks again for a forgotten name", async () => {
    const cache = new StreamArnCache();
    const arns = new Map<string, string>();
    const { calls, describe } = describer(arns);
    await expect(cache.resolve({ name: "cam" }, describe)).rejects.toBeInstanceOf(
      ResourceNotFoundError,
    );
    arns.set("cam", ARN);
    expect(await cache.resolve({ name: "cam" }, describe)).toEqual({ arn: ARN });

    const recreated = ARN.replace("1700000000000", "1700000009999");
    arns.set("cam", recreated);
    expect(await cache.resolve({ name: "cam" }, describe)).toEqual({ arn: ARN });
    cache.forget("cam");
    expect(await cache.resolve({ name: "cam" }, describe)).toEqual({ arn: recreated });
    expect(calls).toHaveLength(3);
  });

  it("forgets a name after its time to live", async () => {
    const cache = new StreamArnCache({ ttlMs: 30 });
    const { calls, describe } = describer(new Map([["cam", ARN]]));
    await cache.resolve({ name: "cam" }, describe);
    await new Promise((resolve) => setTimeout(resolve, 60));
    await cache.resolve({ name: "cam" }, describe);
    expect(calls).toHaveLength(2);
  });
});
