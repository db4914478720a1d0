// Test data in kvs-local, put there the way producers do it: CreateStream through the SDK and
// media through PutMedia. Setup talks to the backend directly (not through the gateway), so it
// adds nothing to the gateway-side GetDataEndpoint counts.

import { readFile } from "node:fs/promises";
import path from "node:path";
import { CreateStreamCommand, KinesisVideoClient } from "@aws-sdk/client-kinesis-video";
import type { LocalKvs } from "../../src/local-kvs/index.ts";
import { putMedia } from "../../src/local-kvs/producer/put-media-client.ts";

export const FIXTURES = path.resolve(import.meta.dirname, "../../../shared/fixtures/getmedia");

function controlClient(kvs: LocalKvs): KinesisVideoClient {
  return new KinesisVideoClient({
    region: "us-east-1",
    endpoint: kvs.endpoint,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
}

/** Creates streams by name and returns their ARNs in the same order. */
export async function createStreams(
  kvs: LocalKvs,
  names: string[],
  options: { dataRetentionInHours?: number; mediaType?: string; deviceName?: string } = {},
): Promise<string[]> {
  const client = controlClient(kvs);
  try {
    const arns: string[] = [];
    for (const name of names) {
      const output = await client.send(
        new CreateStreamCommand({
          StreamName: name,
          DataRetentionInHours: options.dataRetentionInHours ?? 24,
          MediaType: options.mediaType,
          DeviceName: options.deviceName,
        }),
      );
      if (!output.StreamARN) throw new Error(`CreateStream ${name} returned no ARN`);
      arns.push(output.StreamARN);
    }
    return arns;
  } finally {
    client.destroy();
  }
}

/**
 * PutMedia of a fixture MKV with RELATIVE timecodes from `producerStartMs`; resolves with the
 * persisted fragment numbers once every fragment is PERSISTED.
 */
export async function ingestFixture(
  kvs: LocalKvs,
  streamName: string,
  fixture: string,
  producerStartMs: number,
): Promise<string[]> {
  const body = new Uint8Array(await readFile(path.join(FIXTURES, fixture)));
  const session = putMedia({
    endpoint: kvs.endpoint,
    streamName,
    body,
    timecodeType: "RELATIVE",
    producerStartTimestampMs: producerStartMs,
  });
  const persisted: string[] = [];
  for await (const ack of session.acks) {
    if (ack.EventType === "ERROR") throw new Error(`PutMedia ERROR ${JSON.stringify(ack)}`);
    if (ack.EventType === "PERSISTED" && ack.FragmentNumber) persisted.push(ack.FragmentNumber);
  }
  await session.done;
  return persisted;
}
