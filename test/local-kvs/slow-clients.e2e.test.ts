// Slow clients against kvs-local: sockets that dribble their headers are closed by the headers
// timeout (and give way to new calls at the socket cap) while the SDK and the AWS CLI are answered
// in time; a JSON body that dribbles is answered 408 and closed; long GetMedia and PutMedia
// streams outlive all of those timeouts untouched.

import { execFile } from "node:child_process";
import { DescribeStreamCommand, ListStreamsCommand } from "@aws-sdk/client-kinesis-video";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalKvs } from "../../src/local-kvs/index.ts";
import {
  awsCliEnv,
  controlPlane,
  mediaClient,
  openGetMedia,
  startLocalKvs,
} from "../support/kvs-local.ts";
import { fragmentNumberOf, splitGetMedia } from "../support/mkv.ts";
import { removeScratchDirectory, scratchDirectory } from "../support/scratch.ts";
import { startLiveProducer } from "../support/seed.ts";
import {
  openSlowSocket,
  type SlowSocket,
  slowHeaders,
  slowJsonBody,
} from "../support/slow-sockets.ts";
import { waitFor } from "../support/wait.ts";

const HEADERS_TIMEOUT_S = 8;
const BODY_TIMEOUT_S = 1;
const MAX_CONNECTIONS = 100;
const SLOW_SOCKETS = 200;

interface CliOutcome {
  code: number;
  stdout: string;
  ms: number;
}

function aws(args: string[], env: NodeJS.ProcessEnv): Promise<CliOutcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile("/usr/bin/aws", args, { env, timeout: 60_000 }, (error, stdout) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, ms: Date.now() - started });
    });
  });
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await run();
  return { value, ms: Date.now() - started };
}

describe("slow-header and slow-body clients", () => {
  let kvs: LocalKvs;
  let dir: string;

  beforeAll(async () => {
    kvs = await startLocalKvs(["steady"], {
      headersTimeoutSeconds: HEADERS_TIMEOUT_S,
      requestBodyTimeoutSeconds: BODY_TIMEOUT_S,
      maxConnections: MAX_CONNECTIONS,
    });
    dir = await scratchDirectory("kvs-slow-clients-");
  });
  afterAll(async () => {
    await kvs?.stop();
    await removeScratchDirectory(dir);
  });

  it(`${SLOW_SOCKETS} slow-header sockets starve neither the SDK nor the AWS CLI and are closed`, async () => {
    const slow: SlowSocket[] = [];
    for (let i = 0; i < SLOW_SOCKETS; i++) {
      slow.push(await openSlowSocket(kvs.endpoint, slowHeaders(500)));
    }
    const stillOpen = () => slow.filter((s) => s.closedAfterMs === undefined).length;
    try {
      // Past the cap, each new socket evicted the longest-waiting slow one: about half are gone.
      await waitFor(() => stillOpen() <= MAX_CONNECTIONS, 3000, "evictions at the socket cap");

      const cp = controlPlane(kvs.endpoint);
      try {
        const listed = await timed(() => cp.send(new ListStreamsCommand({})));
        const described = await timed(() =>
          cp.send(new DescribeStreamCommand({ StreamName: "steady" })),
        );
        expect(listed.value.StreamInfoList?.map((s) => s.StreamName)).toEqual(["steady"]);
        expect(described.value.StreamInfo?.StreamName).toBe("steady");
        expect(listed.ms).toBeLessThan(2000);
        expect(described.ms).toBeLessThan(2000);
      } finally {
        cp.destroy();
      }
      // Answered while slow sockets still held their connections.
      expect(stillOpen()).toBeGreaterThan(MAX_CONNECTIONS / 2);

      const env = awsCliEnv(dir);
      const endpointArgs = ["--endpoint-url", kvs.endpoint, "--output", "json"];
      const [list, describeOut] = await Promise.all([
        aws(["kinesisvideo", "list-streams", ...endpointArgs], env),
        aws(["kinesisvideo", "describe-stream", "--stream-name", "steady", ...endpointArgs], env),
      ]);
      expect(list.code).toBe(0);
      expect(JSON.parse(list.stdout).StreamInfoList[0].StreamName).toBe("steady");
      expect(describeOut.code).toBe(0);
      expect(JSON.parse(describeOut.stdout).StreamInfo.StreamName).toBe("steady");
      expect(Math.max(list.ms, describeOut.ms)).toBeLessThan(20_000);

      await Promise.all(slow.map((s) => s.closed));
      const closedAfter = slow.map((s) => s.closedAfterMs as number);
      // Evicted (closed without an answer) or closed by the headers timeout with Node's 408,
      // never held longer. Told apart by what they received, not by when: under load an
      // eviction can land late.
      const timedOut = slow.filter((s) => s.received !== "");
      const evicted = slow.filter((s) => s.received === "");
      expect(evicted.length).toBeGreaterThanOrEqual(SLOW_SOCKETS - MAX_CONNECTIONS);
      expect(timedOut.length).toBeGreaterThan(0);
      for (const s of timedOut) expect(s.received).toMatch(/^HTTP\/1\.1 408/);
      expect(Math.max(...closedAfter)).toBeLessThan((HEADERS_TIMEOUT_S + 4) * 1000 + 20_000);
      expect(Math.min(...timedOut.map((s) => s.closedAfterMs as number))).toBeGreaterThanOrEqual(
        HEADERS_TIMEOUT_S * 1000 - 1000,
      );
    } finally {
      for (const s of slow) s.destroy();
    }
  });

  it("answers a JSON body that dribbles in with 408 RequestTimeoutException and closes it", async () => {
    const socket = await openSlowSocket(kvs.endpoint, slowJsonBody(200));
    await socket.closed;
    expect(socket.received).toMatch(/^HTTP\/1\.1 408/);
    expect(socket.received).toContain("x-amzn-ErrorType: RequestTimeoutException");
    expect(socket.closedAfterMs).toBeGreaterThanOrEqual(BODY_TIMEOUT_S * 1000 - 100);
    // The timeout, then the short drain that lets a client read the answer.
    expect(socket.closedAfterMs).toBeLessThan(BODY_TIMEOUT_S * 1000 + 5000);
  });
});

describe("long streams outlive the timeouts", () => {
  it("a PutMedia producer and a GetMedia reader keep streaming for several timeouts", async () => {
    const kvs = await startLocalKvs([], {
      headersTimeoutSeconds: 1,
      requestBodyTimeoutSeconds: 1,
      // A floor the steady producer keeps above, measured over 1 s windows.
      putMediaMinBytesPerSecond: 1000,
      putMediaMinRateWindowSeconds: 1,
    });
    const producer = await startLiveProducer(kvs, "long");
    const media = await mediaClient(kvs.endpoint, "long");
    const reader = await openGetMedia(media, {
      StreamName: "long",
      StartSelector: { StartSelectorType: "NOW" },
    });
    try {
      const started = Date.now();
      for (let i = 0; i < 10; i++) {
        await producer.send(1);
        await new Promise((resolve) => setTimeout(resolve, 450));
      }
      expect(Date.now() - started).toBeGreaterThan(4000);
      const documents = splitGetMedia(await reader.readFragments(10, 20_000));
      expect(documents.map(fragmentNumberOf)).toEqual(producer.persisted);
      expect(producer.persisted).toHaveLength(10);
    } finally {
      reader.close();
      media.destroy();
      await producer.stop();
      await kvs.stop();
    }
  });
});
