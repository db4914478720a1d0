// POST /getMediaForFragmentList: the listed fragments, in the order asked, as the same tagged
// MKV documents GetMedia sends (kinesis-video-archived-media).
import { FRAGMENT_NOT_FOUND_ERROR_ID } from "../../../mkv/kvs-error-ids.ts";
import { resourceNotFound } from "../../errors.ts";
import { errorDocument, fragmentDocument } from "../../media/fragment-document.ts";
import { streamFromInput } from "../../operations/resolve-stream.ts";
import type { OperationHandler } from "../../server/context.ts";
import type { FragmentRecord, HeaderRecord } from "../../store/types.ts";
import { FRAGMENT_NUMBER } from "../../validation.ts";

export const getMediaForFragmentList: OperationHandler = {
  operation: "GetMediaForFragmentList",
  async handle(ctx) {
    const { input, store } = ctx;
    const numbers = input.stringList(
      "Fragments",
      FRAGMENT_NUMBER,
      { min: 1, max: 1000 },
      { required: true },
    ) as string[];
    const stream = streamFromInput(store, input);

    // Every number must name a stored fragment before any media is sent.
    const fragments: FragmentRecord[] = numbers.map((number) => {
      const fragment = store.getFragment(stream.streamArn, number);
      if (!fragment) {
        throw resourceNotFound(
          `Fragment ${number} was not found in stream ${stream.streamName} (unknown, or past retention).`,
        );
      }
      return fragment;
    });

    const sink = ctx.startStream("video/webm");
    const headers = new Map<string, HeaderRecord>();
    for (const fragment of fragments) {
      let parts: Uint8Array[];
      try {
        parts = await fragmentDocument(store, fragment, ctx.clock.now(), headers);
      } catch (error) {
        // Retention (or DeleteStream) removed it after the check: report it the GetMedia way.
        ctx.log(`GetMediaForFragmentList ${fragment.fragmentNumber}: ${String(error)}`);
        await sink.write(errorDocument(FRAGMENT_NOT_FOUND_ERROR_ID, fragment.fragmentNumber));
        break;
      }
      for (const part of parts) {
        if (!(await sink.write(part))) return;
      }
    }
    await sink.end();
  },
};
