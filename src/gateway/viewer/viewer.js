// The viewer's behaviour, with nothing but browser built-ins: queries are plain fetch POSTs to
// ../graphql (relative to the page at …/viewer/, so a proxy's path prefix is kept), the live timeline is Subscription.fragments over Server-Sent Events (a POSTed fetch stream),
// and clips play from their signed URLs. Served with a CSP that allows only this origin, so no
// inline scripts or styles (element.style set from here is allowed; style attributes are not).

import { Player } from "./player.js";
import { RecordingTimeline } from "./recordings.js";

const GRAPHQL = new URL("../graphql", location.href);
const WINDOW_MS = 60_000;
const TICK_MS = 10_000;
/** Fragments kept in memory; the timeline only shows the last minute anyway. */
const MAX_FRAGMENTS = 600;
const RECENT_ROWS = 8;
/**
 * A dropped subscription is retried (e.g. while the gateway is down); after
 * this many errors in a row with no event in between, it stops and asks for a reload.
 */
const MAX_CONSECUTIVE_ERRORS = 10;

const STREAMS = `query ViewerStreams {
  streams(first: 100) {
    __typename
    ... on StreamConnection { edges { node { name status } } }
    ... on KvsError { code message }
  }
}`;

// History fills the timeline at once instead of starting empty; it has no track details.
const HISTORY = `query ViewerHistory($name: String!, $range: TimeRange!) {
  stream(name: $name) {
    __typename
    ... on Stream {
      fragments(range: $range, first: 1000) {
        __typename
        ... on FragmentConnection { edges { node { number serverTimestamp durationMs } } }
        ... on KvsError { code message }
      }
    }
    ... on KvsError { code message }
  }
}`;

const LIVE = `subscription ViewerFragments($name: String!) {
  fragments(name: $name) {
    __typename
    ... on FragmentEvent {
      fragmentNumber serverTimestamp durationMs millisBehindNow
      tracks { number codecId blockCount keyframeCount }
    }
    ... on SlowSubscriber { message }
    ... on KvsError { code message }
  }
}`;

const CLIP = `query ViewerClip($name: String!, $start: DateTime!, $end: DateTime!, $timelapse: ClipTimelapseInput) {
  clip(name: $name, range: { start: $start, end: $end }, timestampType: SERVER_TIMESTAMP, timelapse: $timelapse) {
    __typename
    ... on Clip {
      url expiresAt fragmentCount sizeBytes
      parts { url fragmentCount range { start end } }
      timelapse { url speed durationMs }
    }
    ... on KvsError { code message }
  }
}`;

const $ = (id) => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element;
};

const ui = {
  stream: $("stream"),
  status: $("status"),
  problem: $("problem"),
  blocks: $("blocks"),
  axis: $("axis"),
  recent: $("recent"),
  last10: $("last10"),
  last30: $("last30"),
  lastHour: $("last-hour"),
  timelapseToday: $("timelapse-today"),
  clipSelection: $("clip-selection"),
  clearSelection: $("clear-selection"),
  selectionHint: $("selection-hint"),
  clipInfo: $("clip-info"),
  video: $("video"),
  download: $("download"),
  parts: $("parts"),
  liveVideo: $("live-video"),
  playerInfo: $("player-info"),
  playLive: $("play-live"),
  playSelection: $("play-selection"),
};

/**
 * One stream's state. `fragments` maps fragment number → { number, start (ms), durationMs,
 * live, millisBehindNow, tracks }; history and live events meet here, so one that comes both
 * ways is drawn once.
 */
let view = newView("");

function newView(name) {
  return {
    name,
    fragments: new Map(),
    elements: new Map(),
    source: null,
    anchor: null,
    end: null,
    refilled: false,
  };
}

// ---- GraphQL over HTTP -------------------------------------------------------------------

class ViewerError extends Error {}

async function graphql(query, variables) {
  let response;
  try {
    response = await fetch(GRAPHQL, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query, variables }),
    });
  } catch (error) {
    throw new ViewerError(`The gateway did not answer: ${error.message}`);
  }
  const body = await response.json().catch(() => null);
  if (body?.errors?.length) {
    throw new ViewerError(body.errors.map((e) => e.message).join("\n"));
  }
  if (!response.ok || !body?.data) {
    throw new ViewerError(`HTTP ${response.status} from ${GRAPHQL.pathname}`);
  }
  return body.data;
}

/** Result unions: a KvsError member becomes an exception, so callers see only success. */
function unwrap(result, expected) {
  if (result === null || result === undefined)
    throw new ViewerError("No result (see the gateway log).");
  if (result.__typename !== expected) {
    throw new ViewerError(`${result.__typename} (${result.code ?? "error"}): ${result.message}`);
  }
  return result;
}

function showProblem(message) {
  ui.problem.textContent = message;
  ui.problem.hidden = !message;
}

function setStatus(text, state) {
  ui.status.textContent = text;
  ui.status.dataset.state = state;
}

// ---- Stream picker -----------------------------------------------------------------------

async function loadStreams() {
  const data = await graphql(STREAMS);
  const names = unwrap(data.streams, "StreamConnection").edges.map((edge) => edge.node.name);
  // ?stream=NAME picks a stream that is not among the first hundred (or a link to one).
  const asked = new URLSearchParams(location.search).get("stream");
  if (asked && !names.includes(asked)) names.unshift(asked);
  ui.stream.replaceChildren(
    ...names.map((name) => {
      const option = document.createElement("option");
      option.value = name;
      option.textContent = name;
      return option;
    }),
  );
  if (names.length === 0) {
    ui.stream.append(new Option("No streams", ""));
    setStatus("No streams to show. The demo stream needs KVS_LOCAL_DEMO_STREAM=true.", "ended");
    return;
  }
  ui.stream.disabled = false;
  ui.stream.value = asked ?? (names.includes("demo") ? "demo" : names[0]);
  watch(ui.stream.value);
}

ui.stream.addEventListener("change", () => {
  const url = new URL(location.href);
  url.searchParams.set("stream", ui.stream.value);
  history.replaceState(null, "", url);
  watch(ui.stream.value);
});

// ---- Live fragments ----------------------------------------------------------------------

function watch(name) {
  player.live(name);
  view.source?.close();
  view = newView(name);
  for (const block of ui.blocks.querySelectorAll(".fragment")) block.remove();
  ui.recent.replaceChildren();
  showProblem("");
  updateSelection();
  subscribe();
  loadHistory(view).catch((error) => showProblem(`History: ${error.message}`));
  timeline.show(name);
}

/**
 * A subscription over Server-Sent Events, POSTed as JSON: the gateway refuses GET subscriptions
 * and requests without a JSON content type (CSRF prevention), so EventSource (GET only) can't be
 * used. Like EventSource it reconnects after a dropped stream (honouring `retry:`), and reports
 * `open`, each `next`, `complete` and errors; close() stops it for good.
 */
function openSse(url, body, on) {
  const controller = new AbortController();
  let closed = false;
  let retryMs = 1000;
  const dispatch = (block) => {
    let event = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      else if (line.startsWith("retry:")) retryMs = Number(line.slice(6).trim()) || retryMs;
    }
    if (event === "next" && data.length) on.next(data.join("\n"));
    if (event === "complete") {
      closed = true;
      on.complete();
    }
  };
  const connect = async () => {
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream" },
        body,
        signal: controller.signal,
      });
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      on.open();
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffered = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffered += value;
        let end = buffered.indexOf("\n\n");
        while (end !== -1) {
          dispatch(buffered.slice(0, end));
          buffered = buffered.slice(end + 2);
          end = buffered.indexOf("\n\n");
        }
        if (closed) return;
      }
      if (buffered.trim()) dispatch(buffered);
    } catch {
      if (closed || controller.signal.aborted) return;
    }
    if (closed) return;
    // The stream ended without `complete`: a dropped connection.
    if (on.error() !== false) setTimeout(() => !closed && connect(), retryMs);
  };
  void connect();
  return {
    close() {
      closed = true;
      controller.abort();
    },
  };
}

function subscribe() {
  const current = view;
  // Reset only by an event: a connection that opens and drops at once is still failing.
  let errorsInARow = 0;
  setStatus(`Connecting to ${current.name}…`, "connecting");
  const source = openSse(
    GRAPHQL,
    JSON.stringify({ query: LIVE, variables: { name: current.name } }),
    {
      open() {
        setStatus(`Live: ${current.name}`, "live");
        // After a reconnect the new NOW subscription skips what arrived in between.
        current.refilled = false;
      },
      next(data) {
        if (view !== current) return;
        errorsInARow = 0;
        const payload = JSON.parse(data);
        if (payload.errors?.length) {
          showProblem(payload.errors.map((e) => e.message).join("\n"));
          return;
        }
        const event = payload.data?.fragments;
        if (event?.__typename === "FragmentEvent") {
          addFragment(fromEvent(event));
          // NOW starts after the newest fragment when the subscription opened; one that landed
          // between the first history read and that moment is only in the archive: read it again.
          if (!current.refilled) {
            current.refilled = true;
            loadHistory(current).catch((error) => showProblem(`History: ${error.message}`));
          }
        } else if (event) {
          // An error (or SlowSubscriber) is always the subscription's last event.
          showProblem(
            `${event.__typename}${event.code ? ` (${event.code})` : ""}: ${event.message}`,
          );
        }
      },
      complete() {
        if (view === current) setStatus(`Ended: ${current.name} (reload to retry)`, "ended");
      },
      /** False: give up (no reconnect). */
      error() {
        if (view !== current) return false;
        errorsInARow += 1;
        if (errorsInARow >= MAX_CONSECUTIVE_ERRORS) {
          source.close();
          setStatus(`Disconnected from ${current.name} (reload to retry)`, "ended");
          return false;
        }
        setStatus(`Reconnecting to ${current.name}…`, "connecting");
        return true;
      },
    },
  );
  current.source = source;
}

async function loadHistory(current) {
  // A wide window around the browser's clock, which may be off from the server's a little.
  const now = Date.now();
  const range = {
    start: new Date(now - WINDOW_MS - 30_000).toISOString(),
    end: new Date(now + 60_000).toISOString(),
  };
  const data = await graphql(HISTORY, { name: current.name, range });
  const stream = unwrap(data.stream, "Stream");
  const fragments = unwrap(stream.fragments, "FragmentConnection");
  if (view !== current) return;
  for (const { node } of fragments.edges) {
    if (current.fragments.has(node.number)) continue;
    store({
      number: node.number,
      start: Date.parse(node.serverTimestamp),
      durationMs: node.durationMs,
      live: false,
      millisBehindNow: null,
      tracks: null,
    });
  }
  evictOldest();
  render();
}

function fromEvent(event) {
  return {
    number: event.fragmentNumber,
    start: Date.parse(event.serverTimestamp),
    durationMs: event.durationMs ?? 0,
    live: true,
    millisBehindNow: event.millisBehindNow,
    tracks: event.tracks,
  };
}

function addFragment(fragment) {
  store(fragment);
  evictOldest();
  render();
}

/**
 * Keeps a fragment without drawing or evicting, so a page of history is drawn, and trimmed to
 * MAX_FRAGMENTS, once (call evictOldest after).
 */
function store(fragment) {
  if (Number.isNaN(fragment.start)) return;
  view.fragments.set(fragment.number, fragment);
}

/** Drops the oldest fragments beyond MAX_FRAGMENTS, with one sort however many go. */
function evictOldest() {
  const excess = view.fragments.size - MAX_FRAGMENTS;
  if (excess <= 0) return;
  for (const oldest of sortedFragments().slice(0, excess)) {
    view.fragments.delete(oldest.number);
    view.elements.get(oldest.number)?.remove();
    view.elements.delete(oldest.number);
  }
}

function sortedFragments() {
  return [...view.fragments.values()].sort((a, b) => a.start - b.start);
}

// ---- Drawing -----------------------------------------------------------------------------

const timeOf = (ms) =>
  new Date(ms).toLocaleTimeString([], {
    hour12: false,
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
const shortNumber = (number) => `…${number.slice(-9)}`;
const seconds = (ms) => (ms === null || ms === undefined ? "—" : `${(ms / 1000).toFixed(2)} s`);

function render() {
  const fragments = sortedFragments();
  const newest = fragments.at(-1);
  if (!newest) return;
  // The axis ends with the newest fragment, in server time: no browser clock involved.
  const windowEnd = newest.start + newest.durationMs;
  const windowStart = windowEnd - WINDOW_MS;
  const percent = (ms) => `${((ms - windowStart) / WINDOW_MS) * 100}%`;

  for (const fragment of fragments) {
    let block = view.elements.get(fragment.number);
    if (fragment.start + fragment.durationMs < windowStart) {
      block?.remove();
      view.elements.delete(fragment.number);
      continue;
    }
    if (!block) {
      block = document.createElement("button");
      block.type = "button";
      block.className = "fragment";
      block.dataset.number = fragment.number;
      block.dataset.start = new Date(fragment.start).toISOString();
      block.addEventListener("click", () => pick(fragment.number));
      view.elements.set(fragment.number, block);
      insertInTimeOrder(block, fragment.start);
    }
    block.classList.toggle("live", fragment.live);
    block.style.left = percent(fragment.start);
    block.style.width = `${(fragment.durationMs / WINDOW_MS) * 100}%`;
    const label = `Fragment ${shortNumber(fragment.number)} at ${timeOf(fragment.start)}, ${seconds(fragment.durationMs)}`;
    block.setAttribute("aria-label", label);
    block.title = `${fragment.number}\n${new Date(fragment.start).toISOString()}, ${seconds(fragment.durationMs)}`;
  }

  const ticks = [];
  for (let t = Math.ceil(windowStart / TICK_MS) * TICK_MS; t <= windowEnd; t += TICK_MS) {
    const tick = document.createElement("span");
    tick.className = "tick";
    tick.style.left = percent(t);
    tick.textContent = timeOf(t);
    ticks.push(tick);
  }
  ui.axis.replaceChildren(...ticks);

  ui.recent.replaceChildren(...fragments.slice(-RECENT_ROWS).reverse().map(recentRow));
  updateSelection();
}

/**
 * Blocks sit in the DOM in time order so Tab moves oldest to newest; existing ones are never
 * moved (moving a focused button would drop its focus).
 */
function insertInTimeOrder(block, start) {
  const later = [...ui.blocks.querySelectorAll(".fragment")].find(
    (other) => (view.fragments.get(other.dataset.number)?.start ?? 0) > start,
  );
  ui.blocks.insertBefore(block, later ?? null);
}

function recentRow(fragment) {
  const row = document.createElement("tr");
  const cells = [
    shortNumber(fragment.number),
    new Date(fragment.start).toISOString().slice(11, 23),
    seconds(fragment.durationMs),
    fragment.millisBehindNow === null ? "—" : `${fragment.millisBehindNow} ms`,
    fragment.tracks
      ? fragment.tracks
          .map((t) => `#${t.number} ${t.codecId}: ${t.blockCount} / ${t.keyframeCount}`)
          .join("; ")
      : "(from history)",
  ];
  for (const text of cells) {
    const cell = document.createElement("td");
    cell.textContent = text;
    row.append(cell);
  }
  row.cells[0].className = "number";
  row.cells[0].title = fragment.number;
  return row;
}

// ---- Selection and clips -----------------------------------------------------------------

function pick(number) {
  if (view.anchor === null || view.end !== null) {
    view.anchor = number;
    view.end = null;
  } else view.end = number;
  updateSelection();
}

/** The selected fragments' first and last start times, or null. */
function selectedRange() {
  const a = view.fragments.get(view.anchor);
  if (!a) return null;
  const b = view.fragments.get(view.end ?? view.anchor);
  if (!b) return null;
  return { first: Math.min(a.start, b.start), last: Math.max(a.start, b.start) };
}

function updateSelection() {
  const range = selectedRange();
  for (const [number, block] of view.elements) {
    const fragment = view.fragments.get(number);
    const ends = number === view.anchor || number === view.end;
    block.setAttribute("aria-pressed", String(ends));
    block.classList.toggle(
      "in-range",
      Boolean(range && fragment && fragment.start >= range.first && fragment.start <= range.last),
    );
  }
  ui.clipSelection.disabled = !range;
  ui.playSelection.disabled = !range;
  ui.clearSelection.disabled = view.anchor === null;
  ui.selectionHint.textContent = !range
    ? "Click a fragment, then another, to select a range; or clip the last seconds."
    : view.end === null
      ? "Now click the last fragment of the range (or clip this one fragment)."
      : `Selected ${timeOf(range.first)} to ${timeOf(range.last)}.`;
}

ui.clearSelection.addEventListener("click", () => {
  view.anchor = null;
  view.end = null;
  updateSelection();
});

// GetClip takes the fragments that start within the range, so ending 1 ms after the last
// selected start includes it and nothing after it; and that instant is already past on the
// server, as a SERVER_TIMESTAMP clip requires.
ui.clipSelection.addEventListener("click", () => {
  const range = selectedRange();
  if (range) makeClip(range.first, range.last + 1);
});

for (const [button, ms] of [
  [ui.last10, 10_000],
  [ui.last30, 30_000],
]) {
  button.addEventListener("click", () => {
    const newest = sortedFragments().at(-1);
    if (!newest) {
      showProblem("No fragments yet: wait for the first one to arrive.");
      return;
    }
    makeClip(newest.start + 1 - ms, newest.start + 1);
  });
}

const HOUR_MS = 3_600_000;

// The whole last hour as one file: the gateway stitches its GetClips into one MP4.
ui.lastHour.addEventListener("click", () => {
  const endMs = Date.now() - 1000;
  makeClip(endMs - HOUR_MS, endMs);
});

// Since local midnight, key frames only, played to last about a minute.
ui.timelapseToday.addEventListener("click", () => {
  const endMs = Date.now() - 1000;
  const midnight = new Date(endMs);
  midnight.setHours(0, 0, 0, 0);
  const startMs = midnight.getTime();
  const speed = Math.min(1000, Math.max(2, Math.round((endMs - startMs) / 60_000)));
  makeClip(startMs, endMs, speed);
});

/** `timelapseSpeed`: show and offer the range's timelapse at that speed instead of the clip. */
async function makeClip(startMs, endMs, timelapseSpeed) {
  showProblem("");
  ui.clipInfo.textContent = "Asking for a clip…";
  ui.video.hidden = true;
  ui.download.hidden = true;
  ui.parts.hidden = true;
  let clip;
  try {
    const data = await graphql(CLIP, {
      name: view.name,
      start: new Date(startMs).toISOString(),
      end: new Date(endMs).toISOString(),
      timelapse: timelapseSpeed === undefined ? null : { speed: timelapseSpeed },
    });
    clip = unwrap(data.clip, "Clip");
  } catch (error) {
    ui.clipInfo.textContent = "No clip.";
    showProblem(`Clip: ${error.message}`);
    return;
  }
  const megabytes = (clip.sizeBytes / 1e6).toFixed(1);
  ui.clipInfo.textContent = `${clip.fragmentCount} fragments, about ${megabytes} MB, ${timeOf(startMs)} to ${timeOf(endMs)}; the link expires at ${timeOf(Date.parse(clip.expiresAt))}. Loading…`;
  ui.clipInfo.dataset.fragmentCount = String(clip.fragmentCount);

  const timelapse = clip.timelapse;
  if (timelapse) {
    ui.clipInfo.textContent = `Timelapse of ${clip.fragmentCount} fragments at ${timelapse.speed}×, about ${(timelapse.durationMs / 1000).toFixed(0)} s, ${timeOf(startMs)} to ${timeOf(endMs)}. Loading…`;
  }
  const url = timelapse ? timelapse.url : clip.url;
  ui.video.hidden = false;
  ui.video.src = url;
  const suffix = timelapse ? `-timelapse-${timelapse.speed}x` : "";
  const link = clipLink(url, `${view.name}-${new Date(startMs).toISOString()}${suffix}.mp4`);
  link.textContent = link.download ? "Download MP4" : "Open MP4";
  ui.download.replaceChildren(link);
  ui.download.hidden = false;

  // The link above is the whole range in one file; the parts (one GetClip each, at most 200
  // fragments / 100 MB) are there for whoever wants separate files.
  if (!timelapse && clip.parts.length > 1) {
    ui.parts.replaceChildren(
      ...clip.parts.map((part, index) => {
        const item = document.createElement("li");
        const link = clipLink(part.url, `${view.name}-part${index + 1}.mp4`);
        link.textContent = `Part ${index + 1}: ${part.fragmentCount} fragments, ${part.range.start} to ${part.range.end}`;
        item.append(link);
        return item;
      }),
    );
    ui.parts.hidden = false;
  }
}

/**
 * A link to a clip. Browsers ignore `download` on a link to another origin (PUBLIC_URL may
 * name one), so there it opens the MP4 in a new tab instead of saving it.
 */
function clipLink(url, filename) {
  const link = document.createElement("a");
  link.href = url;
  if (link.origin === location.origin) link.download = filename;
  else {
    link.target = "_blank";
    link.rel = "noopener";
  }
  return link;
}

ui.video.addEventListener("loadedmetadata", () => {
  ui.clipInfo.textContent = ui.clipInfo.textContent.replace(
    /Loading…$/,
    `${ui.video.duration.toFixed(1)} s of video.`,
  );
});
ui.video.addEventListener("error", () => {
  // The MP4 may be fine while this browser lacks the codec: the link still works.
  const reason = ui.video.error?.message || `media error ${ui.video.error?.code}`;
  showProblem(`The browser could not play the clip (${reason}); the link to the MP4 still works.`);
});

// ---- Video -------------------------------------------------------------------------------

const player = new Player({
  video: ui.liveVideo,
  info: ui.playerInfo,
  graphql,
  unwrap,
  onProblem: showProblem,
});

const timeline = new RecordingTimeline({
  graphql,
  unwrap,
  onProblem: showProblem,
  play: (startMs, endMs) => makeClip(startMs, endMs),
  elements: {
    day: $("recordings-day"),
    hours: $("hours"),
    recordings: $("recordings"),
    thumbnails: $("thumbnails"),
  },
});

ui.playLive.addEventListener("click", () => player.live(view.name));
ui.playSelection.addEventListener("click", () => {
  const range = selectedRange();
  if (range) player.range(view.name, range.first, range.last);
});

loadStreams().catch((error) => {
  setStatus("Not connected", "ended");
  showProblem(`Streams: ${error.message}`);
});
