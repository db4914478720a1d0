// In-memory media for tests and `--in-memory`: nothing survives the process.

import type { Counters, MediaBackend, RecoveredState } from "./media-backend.ts";
import type { FragmentRecord, HeaderRecord, StreamRecord } from "./types.ts";

export class MemoryMedia implements MediaBackend<Uint8Array> {
  readonly kind = "memory" as const;

  async load(): Promise<RecoveredState<Uint8Array>> {
    return { streams: [], headers: [], fragments: new Map(), lastIngestionId: 0 };
  }

  async saveStreams(_streams: StreamRecord[], _counters: Counters): Promise<void> {}

  async appendHeader(_stream: StreamRecord, _header: HeaderRecord): Promise<void> {}

  async appendFragment(
    _stream: StreamRecord,
    _record: FragmentRecord,
    clusterBytes: Uint8Array,
  ): Promise<Uint8Array> {
    // A private copy: the caller's buffer may be a view into a reused parser buffer.
    return Uint8Array.from(clusterBytes);
  }

  async readCluster(_streamArn: string, location: Uint8Array): Promise<Uint8Array> {
    return location;
  }

  async dropMediaBefore(): Promise<void> {
    // Dropped fragments are unreferenced by the index and collected with it.
  }

  async rewriteHeaders(): Promise<void> {
    // Headers live only in the store's index.
  }

  async deleteStream(): Promise<void> {}

  async close(): Promise<void> {}
}
