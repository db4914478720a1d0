// POST /getMediaForFragmentList: the listed fragments, in the order asked, as the same tagged
// MKV documents GetMedia sends (kinesis-video-archived-media).
import { FRAGMENT_NOT_FOUND_ERROR_ID, INTERNAL_ERROR_ID } from "../../../mkv/kvs-tags/error-ids.ts";
import { resourceNotFound } from "../../errors.ts";
import { errorDocument, fragmentDocument } from "../../media/fragment-document.ts";
import { streamFromInput } from "../../operations/resolve-stream.ts";
import type { MediaSink, OperationHandler } from "../../server/context.ts";
import { isStoredMediaGone } from "../../store/local-fragment-store.ts";
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

    // The 200 goes out only once the first document is read, so a fragment that expired since
    // the check is still answered with ResourceNotFoundException; later ones end the body the
    // GetMedia way (ERROR 4000 for gone media, 5000 for anything else).
    const headers = new Map<string, HeaderRecord>();
    let sink: MediaSink | undefined;
    for (const fragment of fragments) {
      let parts: Uint8Array[];
      try {
        parts = await fragmentDocument(store, fragment, ctx.clock.now(), headers);
      } catch (error) {
        const gone = isStoredMediaGone(error);
        if (!sink) {
          if (!gone) throw error;
          throw resourceNotFound(
            `Fragment ${fragment.fragmentNumber} is no longer available in stream ${stream.streamName}.`,
          );
        }
        ctx.log(`GetMediaForFragmentList ${fragment.fragmentNumber}: ${String(error)}`);
        await sink.write(
          errorDocument(
            gone ? FRAGMENT_NOT_FOUND_ERROR_ID : INTERNAL_ERROR_ID,
            fragment.fragmentNumber,
          ),
        );
        break;
      }
      sink ??= ctx.startStream("video/webm");
      for (const part of parts) {
        if (!(await sink.write(part))) return;
      }
    }
    await (sink ?? ctx.startStream("video/webm")).end();
  },
};
