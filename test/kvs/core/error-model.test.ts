// The error unions come from OPERATION_EXCEPTIONS: it must be exactly the `@throws` lists of the
// service models as shipped in the SDK clients (their generated command typings).

import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  ERROR_CLASS_BY_EXCEPTION,
  type KvsOperation,
  OPERATION_EXCEPTIONS,
  toKvsError,
  UpstreamUnavailableError,
} from "../../../src/kvs/core/errors.ts";

const require = createRequire(import.meta.url);

const CLIENT_OF: Record<KvsOperation, string> = {
  ListStreams: "@aws-sdk/client-kinesis-video",
  DescribeStream: "@aws-sdk/client-kinesis-video",
  GetDataEndpoint: "@aws-sdk/client-kinesis-video",
  ListFragments: "@aws-sdk/client-kinesis-video-archived-media",
  GetClip: "@aws-sdk/client-kinesis-video-archived-media",
  GetMediaForFragmentList: "@aws-sdk/client-kinesis-video-archived-media",
  GetImages: "@aws-sdk/client-kinesis-video-archived-media",
  GetHLSStreamingSessionURL: "@aws-sdk/client-kinesis-video-archived-media",
  GetDASHStreamingSessionURL: "@aws-sdk/client-kinesis-video-archived-media",
  GetMedia: "@aws-sdk/client-kinesis-video-media",
};

async function modelThrows(operation: KvsOperation): Promise<string[]> {
  const packageJson = require.resolve(`${CLIENT_OF[operation]}/package.json`);
  const typings = path.join(
    path.dirname(packageJson),
    "dist-types/commands",
    `${operation}Command.d.ts`,
  );
  const text = await readFile(typings, "utf8");
  return [...text.matchAll(/@throws \{@link (\w+)\}/g)]
    .map((match) => match[1] as string)
    .filter((name) => !name.endsWith("ServiceException"))
    .sort();
}

describe("OPERATION_EXCEPTIONS", () => {
  for (const operation of Object.keys(CLIENT_OF) as KvsOperation[]) {
    it(`lists exactly what ${operation} throws per its service model`, async () => {
      expect([...OPERATION_EXCEPTIONS[operation]].sort()).toEqual(await modelThrows(operation));
    });
  }
});

describe("toKvsError", () => {
  it("maps every modelled exception by name, keeping the request id and status", () => {
    for (const [name, ErrorClass] of Object.entries(ERROR_CLASS_BY_EXCEPTION)) {
      const sdkError = Object.assign(new Error(`boom ${name}`), {
        name,
        $metadata: { httpStatusCode: 400, requestId: "req-1" },
      });
      const mapped = toKvsError(sdkError);
      expect(mapped).toBeInstanceOf(ErrorClass);
      expect(mapped).toMatchObject({
        code: name,
        requestId: "req-1",
        httpStatus: 400,
        message: `boom ${name}`,
      });
    }
  });

  it("maps 5xx and socket failures to UpstreamUnavailable and leaves surprises alone", () => {
    const fiveHundred = Object.assign(new Error("oops"), {
      name: "InternalFailure",
      $metadata: { httpStatusCode: 500, requestId: "r" },
    });
    expect(toKvsError(fiveHundred)).toMatchObject({ code: "InternalFailure", retryable: true });
    expect(toKvsError(fiveHundred)).toBeInstanceOf(UpstreamUnavailableError);
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    expect(toKvsError(refused)).toMatchObject({ code: "ECONNREFUSED", requestId: undefined });
    const surprise = new TypeError("x is not a function");
    expect(toKvsError(surprise)).toBe(surprise);
  });
});
