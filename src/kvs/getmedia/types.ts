// The fragment events GetMedia sessions deliver, as the gateway sees them. They are the GetMedia
// reader's shapes; the gateway takes them from here so that it depends on src/kvs alone.
export type { FragmentTag, GetMediaFragment } from "../../mkv/getmedia/types.ts";
export type { FragmentTrack } from "../../mkv/matroska/types.ts";
