// Streams: the Stream node (DescribeStream through the per-request loader), `stream(name|arn)`
// and the `streams` connection over ListStreams.

import type { ArgBuilder } from "@pothos/core";
import { ResourceNotFoundError } from "../../kvs/core/errors.ts";
import type { StreamDescription } from "../../kvs/core/streams.ts";
import {
  invalid,
  type StreamRef,
  validateStreamArn,
  validateStreamName,
  validateStreamRef,
} from "../../kvs/core/validation.ts";
import type { GatewayContext } from "../context.ts";
import { forbiddenStream, mayRead, streamNameOfArgs } from "../security/stream-access.ts";
import { streamNameOfArn } from "../security/stream-patterns.ts";
import { type BuilderTypes, builder } from "./builder.ts";
import { errorsOf } from "./errors.ts";
import { connectionPage, decodeCursor, encodeCursor, pageArgs, pageSize } from "./pagination.ts";

export const StreamStatusEnum = builder.enumType("StreamStatus", {
  values: ["CREATING", "ACTIVE", "UPDATING", "DELETING"] as const,
});

export const StreamObject = builder.objectRef<StreamDescription>("Stream");

builder.node(StreamObject, {
  description: "A Kinesis video stream (DescribeStream). Its node id encodes the stream ARN.",
  // Every field of a Stream, however it was reached, needs the principal's access to it.
  authScopes: (stream) => ({ stream: stream.name }),
  id: { resolve: (stream) => stream.arn },
  loadOne: async (arn, context) => {
    const checked = validateStreamArn(arn, "id");
    // The ARN names the stream: refuse a forbidden one before DescribeStream, exists or not.
    if (!mayRead(context.principal, streamNameOfArn(checked))) throw forbiddenStream();
    try {
      return await context.streams.load({ arn: checked });
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

/**
 * The `authScopes` of a field selecting a stream by `streamRefArgs`: the named stream's scope, or
 * (arguments that name no stream) let the resolver answer InvalidArgument.
 */
export function streamArgsScopes(
  _parent: unknown,
  args: { name?: string | null; arn?: string | null },
) {
  const name = streamNameOfArgs(args);
  return name === undefined ? true : { stream: name };
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
    authScopes: streamArgsScopes,
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

/** ListStreams calls one page of `streams` may make while skipping streams the principal may not see. */
const MAX_LIST_CALLS_PER_PAGE = 10;

/**
 * The next `first` streams the principal may see after `start`, in ListStreams order. With access
 * to every stream this is one ListStreams call of `start.s + first`; otherwise it reads on (whole
 * pages of 1000) until `first` allowed streams or the end, at most MAX_LIST_CALLS_PER_PAGE calls,
 * and a page cut short there still ends with a cursor from which the next page goes on.
 */
async function listAllowedStreams(
  context: GatewayContext,
  start: StreamsCursor,
  first: number,
  prefix: string | undefined,
) {
  const edges: Array<{ cursor: string; node: StreamDescription }> = [];
  const allowsAll = context.principal.streams.allowsAll;
  let token = start.k;
  let skip = start.s;
  for (let calls = 0; ; calls++) {
    const page = await context.services.streamCache.listStreams(
      {
        maxResults: allowsAll ? Math.min(1000, skip + first) : 1000,
        nextToken: token ?? undefined,
        nameStartsWith: prefix,
      },
      () => context.budget.spend(),
    );
    for (let index = skip; index < page.streams.length; index++) {
      const stream = page.streams[index] as StreamDescription;
      const position = index + 1;
      const cursor: StreamsCursor =
        position === page.streams.length && page.nextToken
          ? { k: page.nextToken, s: 0 }
          : { k: token, s: position };
      if (!mayRead(context.principal, stream.name)) continue;
      if (edges.length === first) {
        return { edges, hasNextPage: true, emptyEndCursor: null };
      }
      edges.push({ cursor: encodeCursor(STREAMS_CURSOR, { ...cursor }), node: stream });
    }
    const more = page.nextToken !== null;
    const resumeAt = more
      ? encodeCursor(STREAMS_CURSOR, { k: page.nextToken, s: 0 })
      : encodeCursor(STREAMS_CURSOR, { k: token, s: page.streams.length });
    if (!more || (allowsAll && edges.length === first)) {
      return { edges, hasNextPage: more, emptyEndCursor: more ? resumeAt : null };
    }
    if (calls + 1 === MAX_LIST_CALLS_PER_PAGE) {
      // Cut short: the client goes on from the end of what was read.
      return { edges, hasNextPage: true, emptyEndCursor: resumeAt };
    }
    token = page.nextToken;
    skip = 0;
  }
}

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

      const { edges, hasNextPage, emptyEndCursor } = await listAllowedStreams(
        context,
        start,
        first,
        prefix,
      );
      return connectionPage(edges, hasNextPage, emptyEndCursor);
    },
  }),
);
