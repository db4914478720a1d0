// Streams: the Stream node (DescribeStream through the per-request loader), `stream(name|arn)`
// and the `streams` connection over ListStreams.

import type { ArgBuilder } from "@pothos/core";
import { ResourceNotFoundError } from "../../kvs/core/errors.ts";
import { listStreams, type StreamDescription } from "../../kvs/core/streams.ts";
import {
  invalid,
  type StreamRef,
  validateStreamArn,
  validateStreamName,
  validateStreamRef,
} from "../../kvs/core/validation.ts";
import type { GatewayContext } from "../context.ts";
import { type BuilderTypes, builder } from "./builder.ts";
import { errorsOf } from "./errors.ts";
import { connectionPage, decodeCursor, encodeCursor, pageArgs, pageSize } from "./pagination.ts";

export const StreamStatusEnum = builder.enumType("StreamStatus", {
  values: ["CREATING", "ACTIVE", "UPDATING", "DELETING"] as const,
});

export const StreamObject = builder.objectRef<StreamDescription>("Stream");

builder.node(StreamObject, {
  description: "A Kinesis video stream (DescribeStream). Its node id encodes the stream ARN.",
  id: { resolve: (stream) => stream.arn },
  loadOne: async (arn, context) => {
    try {
      return await context.streams.load({ arn: validateStreamArn(arn, "id") });
    } catch (error) {
      if (error instanceof ResourceNotFoundError) return null;
      throw error;
    }
  },
  fields: (t) => ({
    name: t.exposeString("name"),
    arn: t.exposeString("arn"),
    status: t.field({ type: StreamStatusEnum, resolve: (stream) => stream.status }),
    mediaType: t.exposeString("mediaType", {
      nullable: true,
      description: 'The producer-declared MIME type, e.g. "video/h264".',
    }),
    kmsKeyId: t.exposeString("kmsKeyId", { nullable: true }),
    dataRetentionInHours: t.exposeInt("dataRetentionInHours", {
      description: "0 means the stream keeps no data.",
    }),
    version: t.exposeString("version"),
    createdAt: t.field({ type: "DateTime", resolve: (stream) => stream.createdAt }),
    deviceName: t.exposeString("deviceName", { nullable: true }),
  }),
});

/**
 * `name` and `arn` arguments selecting one stream. Give exactly one; `streamRefFromArgs`
 * validates them (InvalidArgument otherwise). Reused by every root field taking a stream.
 */
export function streamRefArgs(arg: ArgBuilder<BuilderTypes>) {
  return {
    name: arg.string({ description: "The stream's name. Give this or `arn`, not both." }),
    arn: arg.string({ description: "The stream's ARN. Give this or `name`, not both." }),
  };
}

export function streamRefFromArgs(args: { name?: string | null; arn?: string | null }): StreamRef {
  return validateStreamRef(args);
}

/** Loads a stream selected by `streamRefArgs` through the request's DescribeStream loader. */
export function loadStream(
  args: { name?: string | null; arn?: string | null },
  context: GatewayContext,
): Promise<StreamDescription> {
  return context.streams.load(streamRefFromArgs(args));
}

builder.queryField("stream", (t) =>
  t.field({
    type: StreamObject,
    nullable: true,
    description:
      "One stream, by `name` or by `arn` (exactly one of them). DescribeStream, loaded once per request however often it is asked for.",
    args: streamRefArgs(t.arg),
    errors: { types: errorsOf("DescribeStream"), union: { name: "StreamResult" } },
    resolve: (_root, args, context) => loadStream(args, context),
  }),
);

// ListStreams pages with an opaque NextToken; a cursor is (token, skip): the NextToken the page
// started from and how many of its streams come before the position. The last edge of a page
// that has more carries the page's NextToken itself.
const STREAMS_CURSOR = "streams";
const NEXT_TOKEN = /^[a-zA-Z0-9+/=]{0,1024}$/;

interface StreamsCursor {
  k: string | null;
  s: number;
}

const isStreamsCursor = (
  value: Record<string, unknown>,
): value is Record<string, unknown> & StreamsCursor =>
  (value.k === null || (typeof value.k === "string" && NEXT_TOKEN.test(value.k))) &&
  typeof value.s === "number" &&
  Number.isInteger(value.s) &&
  value.s >= 0 &&
  value.s <= 1000;

const StreamConnection = builder.connectionObject(
  { type: StreamObject, name: "StreamConnection" },
  { name: "StreamEdge" },
);

builder.queryField("streams", (t) =>
  t.field({
    type: StreamConnection,
    nullable: true,
    description:
      "The account's streams in ListStreams order, optionally only those whose name starts with `nameStartsWith`. Forward paging only: `after` takes an `endCursor` (which carries ListStreams' NextToken).",
    args: {
      ...pageArgs(t.arg),
      nameStartsWith: t.arg.string({
        description: "A stream-name prefix (1 to 256 name characters).",
      }),
    },
    errors: { types: errorsOf("ListStreams"), union: { name: "StreamsResult" } },
    resolve: async (_root, args, context) => {
      const first = pageSize(args.first);
      const prefix =
        args.nameStartsWith === null || args.nameStartsWith === undefined
          ? undefined
          : validateStreamName(args.nameStartsWith, "nameStartsWith");
      const start: StreamsCursor = args.after
        ? decodeCursor(STREAMS_CURSOR, args.after, isStreamsCursor)
        : { k: null, s: 0 };
      if (start.k === "") throw invalid("after", "after is not a cursor of this connection");

      context.budget.spend();
      const page = await listStreams(context.services.clients, {
        maxResults: start.s + first,
        nextToken: start.k ?? undefined,
        nameStartsWith: prefix,
      });
      const streams = page.streams.slice(start.s, start.s + first);
      const edges = streams.map((stream, index) => {
        const position = start.s + index + 1;
        const isLastOfUpstreamPage = position === page.streams.length;
        const cursor: StreamsCursor =
          isLastOfUpstreamPage && page.nextToken
            ? { k: page.nextToken, s: 0 }
            : { k: start.k, s: position };
        return { cursor: encodeCursor(STREAMS_CURSOR, { ...cursor }), node: stream };
      });
      const hasNextPage = page.streams.length > start.s + first || page.nextToken !== null;
      return connectionPage(
        edges,
        hasNextPage,
        page.nextToken ? encodeCursor(STREAMS_CURSOR, { k: page.nextToken, s: 0 }) : null,
      );
    },
  }),
);
