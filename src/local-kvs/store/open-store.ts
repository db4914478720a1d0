import { DiskMedia } from "./disk-media.ts";
import { LocalFragmentStore } from "./local-fragment-store.ts";
import { MemoryMedia } from "./memory-media.ts";
import type { FragmentStore } from "./types.ts";

export interface OpenStoreOptions {
  /** Durable storage here; in memory when undefined. */
  dataDir: string | undefined;
  region: string;
  accountId: string;
  now: () => number;
  log: (line: string) => void;
}

export async function openFragmentStore(options: OpenStoreOptions): Promise<FragmentStore> {
  const storeOptions = { region: options.region, accountId: options.accountId, now: options.now };
  if (options.dataDir === undefined) {
    return LocalFragmentStore.open(new MemoryMedia(), storeOptions);
  }
  const store = await LocalFragmentStore.open(new DiskMedia(options.dataDir), storeOptions);
  const streams = store.listStreams();
  const fragments = streams.reduce((n, s) => n + store.listFragments(s.streamArn).length, 0);
  options.log(`store ${options.dataDir}: ${streams.length} streams, ${fragments} fragments`);
  return store;
}
