// Where a stream's shared NOW session comes from, and who may open a private one. In one process
// (the default) the shared session is a GetMediaSession of this process and private sessions are
// counted here only; in cluster mode (src/kvs/cluster) one instance of the fleet holds the
// stream's session and the others read its fragments from Redis, and private sessions are counted
// fleet-wide, so the fleet stays inside KVS's 3 GetMedia connections per stream.
import type { StreamArnRef } from "../core/stream-arns.ts";
import { GetMediaSession, type GetMediaSessionDeps, type SessionEvent } from "./session.ts";

/** A running shared session as the fan-out sees it: events arrive through `onEvent`. */
export interface SharedSessionHandle {
  /** Stops it; no event is delivered after this returns. */
  stop(): void;
}

export interface SharedSessionSource {
  /** Starts delivering the stream's fragments from now on, in fragment-number order, each once. */
  open(
    stream: StreamArnRef,
    deps: GetMediaSessionDeps,
    onEvent: (event: SessionEvent) => void,
  ): SharedSessionHandle;
}

/** One private GetMedia session's place in the stream's connection budget. */
export interface PrivateSessionSlot {
  release(): void;
}

export interface PrivateSessionSlots {
  /**
   * A slot for a private session on `streamKey`, or null when the budget (fleet-wide in cluster
   * mode) is used up. Never rejects: when the budget cannot be asked, the answer is local.
   */
  acquire(streamKey: string, localLimit: number): Promise<PrivateSessionSlot | null>;
}

/** The single-process source: this process's own GetMediaSession at NOW. */
export const LOCAL_SHARED_SESSIONS: SharedSessionSource = {
  open(stream, deps, onEvent) {
    const session = new GetMediaSession({ ...deps, stream, start: { type: "NOW" }, onEvent });
    void session.run();
    return session;
  },
};
