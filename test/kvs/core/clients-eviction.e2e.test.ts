// The per-endpoint SDK client cache is bounded; a client pushed out of it may still be carrying a
// live response (a GetMedia session, a GetClip body), which must run on to its end.

import { ListFragmentsCommand } from "@aws-sdk/client-kinesis-video-archived-media";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KvsClients } from "../../../src/kvs/core/clients.ts";
import type { LocalKvs } from "../../../src/local-kvs/index.ts";
import { fixture } from "../../support/fixtures.ts";
import {
  createStreams,
  dataEndpoint,
  kvsClients,
  openGetMedia,
  startLocalKvs,
} from "../../support/kvs-local.ts";
import { ingestAt } from "../../support/seed.ts";

const STREAM = "evicted";
const T0 = Date.parse("2024-01-17T11:00:00.000Z");

let kvs: LocalKvs;
let clients: KvsClients;
let endpoint: string;
let firstBatch: number;

beforeAll(async () => {
  kvs = await startLocalKvs();
  await createStreams(kvs.endpoint, [STREAM]);
  firstBatch = (await ingestAt(kvs.endpoint, STREAM, fixture("clusters.mkv"), T0)).length;
  endpoint = await dataEndpoint(kvs.endpoint, STREAM, "GET_MEDIA");
  clients = kvsClients(kvs.endpoint, { maxDataEndpointClients: 1 });
});

afterAll(async () => {
  clients?.destroy();
  await kvs?.stop();
});

/** Another spelling of the same server: a second cache entry, which evicts the first. */
const otherSpelling = (url: string) => `${url.replace(/\/+$/, "")}/`;

describe("evicting a data-endpoint client", () => {
  it("lets a GetMedia response it carries run on", async () => {
    const session = await openGetMedia(clients.media(endpoint), {
      StreamName: STREAM,
      StartSelector: { StartSelectorType: "EARLIEST" },
    });
    try {
      await session.readFragments(1);
      const evicting = clients.media(otherSpelling(endpoint));
      expect(evicting).not.toBe(clients.media(endpoint));
      // Media that arrives after the eviction still reaches the open response.
      const secondBatch = (
        await ingestAt(kvs.endpoint, STREAM, fixture("clusters.mkv"), T0 + 3_600_000)
      ).length;
      await session.readFragments(firstBatch + secondBatch);
    } finally {
      session.close();
    }
  });

  it("still answers through the evicted endpoint with a fresh client", async () => {
    clients.archivedMedia(endpoint);
    clients.archivedMedia(otherSpelling(endpoint));
    const output = await clients.archivedMedia(endpoint).send(
      new ListFragmentsCommand({
        StreamName: STREAM,
        FragmentSelector: {
          FragmentSelectorType: "PRODUCER_TIMESTAMP",
          TimestampRange: { StartTimestamp: new Date(T0), EndTimestamp: new Date(T0 + 60_000) },
        },
      }),
    );
    expect(output.Fragments).toHaveLength(firstBatch);
  });
});
