// Stream.fragments: a connection over ListFragments in a guaranteed order.

import {
  type Fragment,
  type FragmentPosition,
  orderedFragmentsPage,
  positionOf,
  type TimestampType,
} from "../../kvs/core/fragments.ts";
import { invalid, validateTimestampRange } from "../../kvs/core/validation.ts";
import { builder } from "./builder.ts";
import { errorsOf } from "./errors.ts";
import { cachedListFragments } from "./fragment-listing.ts";
import { connectionPage, decodeCursor, encodeCursor, pageArgs, pageSize } from "./pagination.ts";
import { StreamObject } from "./streams.ts";
import { TimeRangeInput, TimestampTypeEnum } from "./time.ts";

export const FragmentObject = builder.objectRef<Fragment>("Fragment").implement({
  description: "One fragment of a stream's archived media (ListFragments).",
  fields: (t) => ({
    number: t.exposeString("number", {
      description: "The fragment number: up to 128 decimal digits, increasing with ingestion.",
    }),
    serverTimestamp: t.field({ type: "DateTime", resolve: (fragment) => fragment.serverTimestamp }),
    producerTimestamp: t.field({
      type: "DateTime",
      resolve: (fragment) => fragment.producerTimestamp,
    }),
    sizeBytes: t.exposeInt("sizeBytes"),
    durationMs: t.exposeInt("durationMs"),
  }),
});

const FragmentConnection = builder.connectionObject(
  { type: FragmentObject, name: "FragmentConnection" },
  { name: "FragmentEdge" },
);

const FRAGMENTS_CURSOR = "fragments";

interface FragmentsCursor {
  /** The selected timestamp of the last fragment seen, epoch ms. */
  t: number;
  n: string;
  y: TimestampType;
}

const isFragmentsCursor = (
  value: Record<string, unknown>,
): value is Record<string, unknown> & FragmentsCursor =>
  typeof value.t === "number" &&
  Number.isSafeInteger(value.t) &&
  typeof value.n === "string" &&
  /^[0-9]{1,128}$/.test(value.n) &&
  (value.y === "SERVER_TIMESTAMP" || value.y === "PRODUCER_TIMESTAMP");

builder.objectField(StreamObject, "fragments", (t) =>
  t.field({
    type: FragmentConnection,
    nullable: true,
    description: [
      "The stream's fragments whose selected timestamp (`timestampType`) lies in `range`, through ListFragments.",
      "Order: ascending by the selected timestamp, ties broken by fragment number (numerically). KVS itself returns fragments in no order, even across pages; the gateway reads each page's time window completely and sorts it, so pages are consistent: a cursor is the position (timestamp, fragment number) of the page's last fragment and the next page starts strictly after it, even if fragments arrived in between.",
      "Forward paging only (`first`, `after`). Costs one ListFragments call when the rest of the range holds at most 1000 fragments, a few more otherwise.",
    ].join("\n\n"),
    args: {
      range: t.arg({ type: TimeRangeInput, required: true }),
      timestampType: t.arg({ type: TimestampTypeEnum, defaultValue: "SERVER_TIMESTAMP" }),
      ...pageArgs(t.arg),
    },
    errors: { types: errorsOf("ListFragments"), union: { name: "FragmentsResult" } },
    resolve: async (stream, args, context) => {
      const timestampType = args.timestampType ?? "SERVER_TIMESTAMP";
      const first = pageSize(args.first);
      const range = validateTimestampRange(args.range);
      let after: FragmentPosition | undefined;
      if (args.after) {
        const cursor = decodeCursor(FRAGMENTS_CURSOR, args.after, isFragmentsCursor);
        if (cursor.y !== timestampType) {
          throw invalid(
            "after",
            `after is a cursor of a ${cursor.y} listing, not of ${timestampType}`,
          );
        }
        after = { timestampMs: cursor.t, number: cursor.n };
      }

      const page = await orderedFragmentsPage(
        cachedListFragments(context, stream.arn, timestampType),
        { start: range.start, end: range.end, timestampType, after, limit: first },
      );
      const edges = page.fragments.map((fragment) => {
        const position = positionOf(fragment, timestampType);
        const cursor: FragmentsCursor = {
          t: position.timestampMs,
          n: position.number,
          y: timestampType,
        };
        return { cursor: encodeCursor(FRAGMENTS_CURSOR, { ...cursor }), node: fragment };
      });
      return connectionPage(edges, page.hasNextPage);
    },
  }),
);
