#!/usr/bin/env bash
# Regenerates assets/demo-sample.mkv, the clip the local backend's demo camera loops through PutMedia.
# H.264 (no B-frames, one keyframe per second) + AAC in Matroska, one Cluster per keyframe, so every
# Cluster becomes a ~1 s KVS fragment. Needs ffmpeg with libx264 and drawtext; mkvinfo to check.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/assets/demo-sample.mkv}"
seconds=10
fps=15

font="$(fc-match -f '%{file}' 'DejaVu Sans Mono:bold' 2>/dev/null || true)"
if [[ -n "$font" && -f "$font" ]] && ffmpeg -hide_banner -filters 2>/dev/null | grep -q ' drawtext '; then
  # A frame counter and the sample's own clock, so a player shows that the picture moves on.
  label="drawtext=fontfile=${font}:fontsize=22:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=4"
  overlay=",${label}:x=8:y=8:text='kvs-local demo  frame %{frame_num}'"
  overlay+=",${label}:x=8:y=h-th-8:text='t=%{pts\\:hms}'"
else
  # testsrc2 draws its own running counter when drawtext is unavailable.
  overlay=""
fi

mkdir -p "$(dirname "$out")"
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "testsrc2=size=320x240:rate=${fps}:duration=${seconds}${overlay}" \
  -f lavfi -i "sine=frequency=660:beep_factor=4:sample_rate=44100:duration=${seconds}" \
  -fflags +bitexact -flags:v +bitexact -flags:a +bitexact -threads 1 \
  -c:v libx264 -preset veryfast -profile:v main -pix_fmt yuv420p -bf 0 \
  -g "$fps" -keyint_min "$fps" -sc_threshold 0 -b:v 180k -maxrate 220k -bufsize 220k \
  -c:a aac -ac 1 -b:a 32k \
  -cluster_time_limit 1500 \
  -metadata title="kvs-local demo sample" \
  -f matroska "$out"

if command -v mkvinfo >/dev/null; then
  clusters="$(mkvinfo -v "$out" | grep -c '|+ Cluster' || true)"
  echo "wrote $out: $(stat -c %s "$out") bytes, ${clusters} clusters"
else
  echo "wrote $out: $(stat -c %s "$out") bytes"
fi
