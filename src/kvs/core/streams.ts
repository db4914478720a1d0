// Control-plane reads: ListStreams and DescribeStream, with the SDK's optional members turned
// into a stream description the rest of the code can rely on.

import {
  DescribeStreamCommand,
  ListStreamsCommand,
  type StreamInfo,
} from "@aws-sdk/client-kinesis-video";
import DataLoader from "dataloader";
import type { KvsClients } from "./clients.ts";
import { toKvsError, UpstreamUnavailableError } from "./errors.ts";
import { type StreamRef, streamRefInput, streamRefKey } from "./validation.ts";

export type StreamStatus = "CREATING" | "ACTIVE" | "UPDATING" | "DELETING";

export interface StreamDescription {
  readonly name: string;
  readonly arn: string;
  readonly status: StreamStatus;
  readonly mediaType: string | null;
  readonly kmsKeyId: string | null;
  readonly dataRetentionInHours: number;
  readonly version: string;
  readonly createdAt: Date;
  readonly deviceName: string | null;
}

export interface StreamsPage {
  readonly streams: StreamDescription[];
  readonly nextToken: string | null;
}

export interface ListStreamsInput {
  maxResults: number;
  nextToken?: string | undefined;
  nameStartsWith?: string | undefined;
}

const STATUSES: ReadonlySet<string> = new Set(["CREATING", "ACTIVE", "UPDATING", "DELETING"]);

export function toStreamDescription(info: StreamInfo, requestId?: string): StreamDescription {
  const { StreamName, StreamARN, Status, Version, CreationTime } = info;
  if (!StreamName || !StreamARN || !Status || !STATUSES.has(Status) || !Version || !CreationTime) {
    throw new UpstreamUnavailableError("KVS answered with an incomplete StreamInfo", {
      requestId,
      code: "IncompleteStreamInfo",
    });
  }
  return {
    name: StreamName,
    arn: StreamARN,
    status: Status as StreamStatus,
    mediaType: info.MediaType ?? null,
    kmsKeyId: info.KmsKeyId ?? null,
    dataRetentionInHours: info.DataRetentionInHours ?? 0,
    version: Version,
    createdAt: CreationTime,
    deviceName: info.DeviceName ?? null,
  };
}

export async function listStreams(
  clients: KvsClients,
  input: ListStreamsInput,
): Promise<StreamsPage> {
  try {
    const output = await clients.control.send(
      new ListStreamsCommand({
        MaxResults: input.maxResults,
        NextToken: input.nextToken,
        StreamNameCondition:
          input.nameStartsWith === undefined
            ? undefined
            : { ComparisonOperator: "BEGINS_WITH", ComparisonValue: input.nameStartsWith },
      }),
    );
    const requestId = output.$metadata.requestId;
    return {
      streams: (output.StreamInfoList ?? []).map((info) => toStreamDescription(info, requestId)),
      nextToken: output.NextToken || null,
    };
  } catch (error) {
    throw toKvsError(error);
  }
}

export async function describeStream(
  clients: KvsClients,
  ref: StreamRef,
): Promise<StreamDescription> {
  try {
    const output = await clients.control.send(new DescribeStreamCommand(streamRefInput(ref)));
    if (!output.StreamInfo) {
      throw new UpstreamUnavailableError("DescribeStream answered without StreamInfo", {
        requestId: output.$metadata.requestId,
        code: "IncompleteStreamInfo",
      });
    }
    return toStreamDescription(output.StreamInfo, output.$metadata.requestId);
  } catch (error) {
    throw toKvsError(error);
  }
}

/**
 * A per-request DescribeStream loader keyed by name or ARN. A stream loaded under one key is
 * primed under the other, and a batch asking for a name and an ARN of that name (the ARN
 * embeds it) makes one call: `stream(name:)`, `stream(arn:)` and `node(id:)` cost one call.
 */
export type StreamLoader = DataLoader<StreamRef, StreamDescription, string>;

/** The stream name inside an ARN (arn:aws:kinesisvideo:REGION:ACCOUNT:stream/NAME/CREATION_MS). */
export function nameInArn(arn: string): string | undefined {
  return /:stream\/([^/]+)\/\d+$/.exec(arn)?.[1];
}

export function createStreamLoader(
  /** DescribeStream (directly, or through the shared StreamCache). */
  describeOnce: (ref: StreamRef) => Promise<StreamDescription>,
): StreamLoader {
  const loader: StreamLoader = new DataLoader(
    (refs) => {
      const byName = new Map<string, Promise<StreamDescription>>();
      const describe = (ref: StreamRef): Promise<StreamDescription> => {
        if ("name" in ref) {
          let pending = byName.get(ref.name);
          if (!pending) {
            pending = describeOnce(ref);
            byName.set(ref.name, pending);
          }
          return pending;
        }
        const name = nameInArn(ref.arn);
        const sameName = name === undefined ? undefined : byName.get(name);
        if (!sameName) return describeOnce(ref);
        // The ARN may be of an older stream of that name: only a matching ARN shares the call.
        return sameName.then(
          (stream) => (stream.arn === ref.arn ? stream : describeOnce(ref)),
          () => describeOnce(ref),
        );
      };
      // Names first, so ARNs of the same streams can share their calls.
      const ordered = [...refs].sort((a, b) => Number("arn" in a) - Number("arn" in b));
      const results = new Map<StreamRef, Promise<StreamDescription>>();
      for (const ref of ordered) results.set(ref, describe(ref));
      return Promise.all(
        refs.map((ref) =>
          (results.get(ref) as Promise<StreamDescription>).then(
            (stream) => {
              const other: StreamRef = "arn" in ref ? { name: stream.name } : { arn: stream.arn };
              loader.prime(other, stream);
              return stream;
            },
            (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
          ),
        ),
      );
    },
    { cacheKeyFn: streamRefKey },
  );
  return loader;
}
