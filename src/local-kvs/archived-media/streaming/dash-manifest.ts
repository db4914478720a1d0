// The MPEG-DASH manifest of a session: one AdaptationSet per track, a SegmentTemplate over the
// session's fMP4 init and media fragments, and a SegmentTimeline whose S elements follow the
// session's continuous media timeline (KVS adjusts it so players survive gaps), with the real
// fragment timestamp in kvs:ts and the fragment number in kvs:fn when asked for. $Number$ is the
// fragment's sequence number in the session. ON_DEMAND is a static MPD; the live modes a dynamic
// one that players reload about once a second.

import { estimatedBandwidth } from "./hls-playlists.ts";
import type { PlaybackSession } from "./playback-sessions.ts";

const KVS_NAMESPACE = "https://kinesisvideo.amazonaws.com/ns/dash";
const TIMESCALE = 1000;

const seconds = (ms: number) => `PT${(ms / 1000).toFixed(3)}S`;
const xml = (value: string) =>
  value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function dashManifest(session: PlaybackSession, nowMs: number): string {
  const entries = session.timeline.window();
  const firstEntry = entries[0];
  const last = entries.at(-1);
  const isStatic = session.timeline.ended;
  const bandwidth = estimatedBandwidth(entries);
  const longest = session.timeline.longestFragmentMs;
  const attributes = [
    'xmlns="urn:mpeg:dash:schema:mpd:2011"',
    `xmlns:kvs="${KVS_NAMESPACE}"`,
    'profiles="urn:mpeg:dash:profile:isoff-live:2011"',
    `type="${isStatic ? "static" : "dynamic"}"`,
    `minBufferTime="${seconds(Math.max(1000, longest))}"`,
  ];
  if (isStatic) {
    const end = last ? last.mediaStartMs + last.fragment.durationMs : 0;
    attributes.push(
      `mediaPresentationDuration="${seconds(end - (firstEntry?.mediaStartMs ?? 0))}"`,
    );
  } else {
    // Media time 0 is when the session's first fragment started.
    const origin = session.timeline.first()?.timestampMs ?? session.createdAtMs;
    attributes.push(
      `availabilityStartTime="${new Date(origin).toISOString()}"`,
      `publishTime="${new Date(nowMs).toISOString()}"`,
      'minimumUpdatePeriod="PT1S"',
      `timeShiftBufferDepth="${seconds(
        Math.max(
          longest,
          entries.reduce((n, e) => n + e.fragment.durationMs, 0),
        ),
      )}"`,
      `suggestedPresentationDelay="${seconds(Math.max(2000, 3 * longest))}"`,
    );
  }
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<MPD ${attributes.join(" ")}>`,
    '  <Period id="0" start="PT0S">',
  ];
  for (const track of session.plan.tracks) {
    const n = track.trackNumber;
    const params = (extra: string) => xml(`SessionToken=${session.token}&TrackNumber=${n}${extra}`);
    const codec = session.codecs.get(n) ?? "";
    const media =
      track.kind === "video"
        ? `contentType="video" mimeType="video/mp4"${track.width && track.height ? ` width="${track.width}" height="${track.height}"` : ""}`
        : `contentType="audio" mimeType="audio/mp4" audioSamplingRate="${track.sampleRate}"`;
    lines.push(`    <AdaptationSet id="${n}" ${media} segmentAlignment="true" startWithSAP="1">`);
    lines.push(`      <Representation id="${n}" codecs="${xml(codec)}" bandwidth="${bandwidth}">`);
    lines.push(
      `        <SegmentTemplate timescale="${TIMESCALE}" startNumber="${firstEntry?.sequence ?? 0}" initialization="getMP4InitFragment.mp4?${params("")}" media="getMP4MediaFragment.mp4?${params("&SequenceNumber=$Number$")}">`,
    );
    lines.push("          <SegmentTimeline>");
    for (const entry of entries) {
      const extra = [
        session.request.displayFragmentTimestamp ? ` kvs:ts="${entry.timestampMs}"` : "",
        session.request.displayFragmentNumber ? ` kvs:fn="${entry.fragment.fragmentNumber}"` : "",
      ].join("");
      lines.push(
        `            <S t="${entry.mediaStartMs}" d="${entry.fragment.durationMs}"${extra}/>`,
      );
    }
    lines.push(
      "          </SegmentTimeline>",
      "        </SegmentTemplate>",
      "      </Representation>",
      "    </AdaptationSet>",
    );
  }
  lines.push("  </Period>", "</MPD>");
  return `${lines.join("\n")}\n`;
}
