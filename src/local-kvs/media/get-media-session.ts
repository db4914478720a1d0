// Streams a stream's fragments to one GetMedia response in fragment-number order: first what
// is stored from the start position on, then each new fragment as soon as it is persisted,
// until the client leaves, the server stops, the stream is deleted or the session's time is up.

import { FRAGMENT_NOT_FOUND_ERROR_ID, INTERNAL_ERROR_ID } from "../../mkv/kvs-tags/error-ids.ts";
import type { Clock } from "../clock.ts";
import type { MediaSink } from "../server/context.ts";
import { isStoredMediaGone } from "../store/local-fragment-store.ts";
import type { FragmentRecord, FragmentStore, HeaderRecord } from "../store/types.ts";
import { errorDocument, fragmentDocument } from "./fragment-document.ts";

export type StartPosition =
  /** Fragments with a greater fragment number ("" = from the earliest). */
  | { kind: "after"; fragmentNumber: string }
  /** This fragment, then those after it. */
  | { kind: "from"; fragment: FragmentRecord }
  /** The selector named a fragment the stream does not hold: ERROR_ID 4000 and the end. */
  | { kind: "missing"; fragmentNumber: string };

export interface GetMediaSessionOptions {
  store: FragmentStore;
  streamArn: string;
  start: StartPosition;
  sink: MediaSink;
  clock: Clock;
  signal: AbortSignal;
  /** Ends the response with these error tags after `afterFragments` fragments (fault injection). */
  injectedError?: { errorId: number; afterFragments: number };
  /**
   * When aborted, the response ends cleanly at the next fragment boundary (KVS's session length
   * cap): a fragment being written is finished first, and an idle wait ends at once.
   */
  sessionEnd?: AbortSignal;
}

export async function runGetMediaSession(options: GetMediaSessionOptions): Promise<void> {
  const { store, streamArn, sink, clock, signal, injectedError, sessionEnd } = options;
  let pending = false;
  let deleted = false;
  let wake: (() => void) | undefined;
  const poke = () => {
    pending = true;
    wake?.();
  };
  const unsubscribe = store.onFragment(streamArn, poke, () => {
    deleted = true;
    wake?.();
  });
  signal.addEventListener("abort", poke, { once: true });
  sessionEnd?.addEventListener("abort", poke, { once: true });

  const headers = new Map<string, HeaderRecord>();
  let after = options.start.kind === "after" ? options.start.fragmentNumber : "";
  let first = options.start.kind === "from" ? options.start.fragment : undefined;
  let sent = 0;
  try {
    if (options.start.kind === "missing") {
      await sink.write(errorDocument(FRAGMENT_NOT_FOUND_ERROR_ID, options.start.fragmentNumber));
      return;
    }
    // Only checked here, between fragments, so a session that runs out ends after a whole one.
    while (!sink.closed && !signal.aborted && !sessionEnd?.aborted) {
      pending = false;
      const next = first ?? store.fragmentsAfter(streamArn, after, 1)[0];
      first = undefined;
      if (injectedError && sent >= injectedError.afterFragments) {
        await sink.write(errorDocument(injectedError.errorId, next?.fragmentNumber));
        break;
      }
      if (next) {
        let parts: Uint8Array[];
        try {
          parts = await fragmentDocument(store, next, clock.now(), headers);
        } catch (error) {
          await sink.write(
            errorDocument(
              isStoredMediaGone(error) ? FRAGMENT_NOT_FOUND_ERROR_ID : INTERNAL_ERROR_ID,
              next.fragmentNumber,
            ),
          );
          break;
        }
        for (const part of parts) {
          if (!(await sink.write(part))) return;
        }
        after = next.fragmentNumber;
        sent++;
        continue;
      }
      if (deleted) break;
      if (!pending) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    }
  } finally {
    unsubscribe();
    signal.removeEventListener("abort", poke);
    sessionEnd?.removeEventListener("abort", poke);
    await sink.end();
  }
}
