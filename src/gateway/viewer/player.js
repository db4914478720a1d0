// The viewer's video player: asks the gateway for a KVS playback session (Stream.playback) and
// plays its HLS URL with hls.js (served by the gateway from node_modules; Safari plays HLS
// natively). The session URL points at KVS itself, so no AWS credentials reach the page. Before
// the session expires (expiresAt), a new one is asked for and playback moves over to it.
import Hls from "./hls.js";

const PLAYBACK = `query ViewerPlayback($name: String!, $mode: PlaybackMode!, $range: PlaybackRange, $replayFallback: Boolean, $maxFragments: Int) {
  stream(name: $name) {
    __typename
    ... on Stream {
      playback(mode: $mode, range: $range, replayFallback: $replayFallback, maxFragments: $maxFragments, displayFragmentTimestamp: true) {
        __typename
        ... on PlaybackSession { url mode expiresAt replayFrom }
        ... on KvsError { code message }
      }
    }
    ... on KvsError { code message }
  }
}`;

/** Ask for a new session this long before the current one expires. */
const RENEW_BEFORE_MS = 60_000;
const MIN_RENEW_DELAY_MS = 5_000;
const LIVE_RETRY_MS = 3_000;

/**
 * KVS answers ClientLimitExceeded (HTTP 400) when a session's playlists or fragments are asked
 * for too fast; hls.js does not retry a 4xx by itself, so that one is retried after a pause.
 */
function shouldRetry(retryConfig, retryCount, isTimeout, response, retry) {
  if (!retryConfig || retryCount >= retryConfig.maxNumRetry) return false;
  return retry || isTimeout || response?.code === 400;
}

/**
 * A loader that spaces its requests: KVS allows a session about 5 playlist and 10 fragment
 * requests a second, and hls.js would otherwise fetch a burst of fragments when it starts.
 */
function pacedLoader(spacingMs) {
  let nextSlot = 0;
  const Base = Hls.DefaultConfig.loader;
  return class PacedLoader extends Base {
    load(context, config, callbacks) {
      const now = performance.now();
      const at = Math.max(now, nextSlot);
      nextSlot = at + spacingMs;
      setTimeout(() => super.load(context, config, callbacks), at - now);
    }
  };
}

const RETRY = { maxNumRetry: 6, retryDelayMs: 500, maxRetryDelayMs: 4_000, shouldRetry };
const LOAD_POLICY = {
  default: {
    maxTimeToFirstByteMs: 10_000,
    maxLoadTimeMs: 20_000,
    timeoutRetry: RETRY,
    errorRetry: RETRY,
  },
};

export class Player {
  #video;
  #info;
  #graphql;
  #unwrap;
  #onProblem;
  #hls = null;
  #renewTimer = null;
  /** { name, mode, range } of what plays now. */
  #current = null;
  #generation = 0;

  constructor({ video, info, graphql, unwrap, onProblem }) {
    this.#video = video;
    this.#info = info;
    this.#graphql = graphql;
    this.#unwrap = unwrap;
    this.#onProblem = onProblem;
    setInterval(() => this.#showBehind(), 1_000);
  }

  /** The stream's newest fragments, as they arrive (or its last picture, replayed, when idle). */
  live(name) {
    return this.#play({ name, mode: "LIVE", range: null });
  }

  /** The fragments starting within [startMs, endMs] (server time), as a fixed playlist. */
  range(name, startMs, endMs) {
    const range = { start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString() };
    return this.#play({ name, mode: "ON_DEMAND", range });
  }

  async #play(wanted) {
    const generation = ++this.#generation;
    this.#current = wanted;
    clearTimeout(this.#renewTimer);
    this.#info.textContent = `Asking for a ${wanted.mode === "LIVE" ? "live" : "recorded"} session…`;
    performance.mark("playback-query");
    let session;
    try {
      session = await this.#ask(wanted);
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#video.dataset.state = "failed";
      if (error.noFragmentYet) {
        // Nothing to show yet (a camera that has not sent a fragment): ask again shortly.
        this.#info.textContent = "No fragment to play yet; asking again in a few seconds.";
        this.#renewTimer = setTimeout(() => this.#play(wanted), LIVE_RETRY_MS);
        return;
      }
      this.#info.textContent = "No video.";
      this.#onProblem(`Video: ${error.message}`);
      return;
    }
    if (generation !== this.#generation) return;
    this.#start(session, wanted);
  }

  async #ask({ name, mode, range }) {
    // A live window of 3 fragments (KVS's lower recommendation) keeps the player near the edge.
    const live = mode === "LIVE";
    const variables = {
      name,
      mode,
      range,
      replayFallback: live ? true : null,
      maxFragments: live ? 3 : null,
    };
    const data = await this.#graphql(PLAYBACK, variables);
    const stream = this.#unwrap(data.stream, "Stream");
    if (live && stream.playback?.__typename === "ResourceNotFound") {
      const error = new Error(stream.playback.message);
      error.noFragmentYet = true;
      throw error;
    }
    return this.#unwrap(stream.playback, "PlaybackSession");
  }

  #start(session, wanted) {
    const resumeAt = wanted.mode === "ON_DEMAND" && this.#hls ? this.#video.currentTime : 0;
    this.#hls?.destroy();
    this.#hls = null;
    const video = this.#video;
    video.dataset.mode = session.mode;
    video.dataset.expiresAt = session.expiresAt;
    video.dataset.state = "loading";
    video.addEventListener(
      "playing",
      () => {
        performance.mark("first-frame");
        video.dataset.state = "playing";
      },
      { once: true },
    );
    if (Hls.isSupported()) {
      // No worker: the page's CSP allows scripts from this origin only, not blob: workers.
      const hls = new Hls({
        enableWorker: false,
        pLoader: pacedLoader(220),
        fLoader: pacedLoader(120),
        liveSyncDurationCount: 2,
        fragLoadPolicy: LOAD_POLICY,
        playlistLoadPolicy: LOAD_POLICY,
        manifestLoadPolicy: LOAD_POLICY,
      });
      hls.on(Hls.Events.ERROR, (_event, data) => {
        if (!data.fatal) return;
        this.#onProblem(
          `Video: ${data.details}${data.response?.code ? ` (HTTP ${data.response.code})` : ""}`,
        );
        video.dataset.state = "failed";
      });
      hls.on(Hls.Events.MANIFEST_PARSED, () => {
        if (resumeAt > 0) video.currentTime = resumeAt;
        video.play().catch(() => {});
      });
      hls.loadSource(session.url);
      hls.attachMedia(video);
      this.#hls = hls;
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = session.url;
      video.play().catch(() => {});
    } else {
      this.#onProblem("This browser plays neither HLS nor Media Source Extensions.");
      return;
    }
    const what =
      session.mode === "ON_DEMAND"
        ? "Recorded range"
        : session.replayFrom
          ? `Replaying from ${session.replayFrom} (no fragment in the last 30 s), then live`
          : "Live";
    const renewAt = Date.parse(session.expiresAt) - RENEW_BEFORE_MS;
    this.#info.textContent = `${what} over HLS; session renews at ${new Date(renewAt).toLocaleTimeString([], { hour12: false })}.`;
    video.dataset.renewsAt = new Date(renewAt).toISOString();
    this.#renewTimer = setTimeout(
      () => this.#play(wanted),
      Math.max(MIN_RENEW_DELAY_MS, renewAt - Date.now()),
    );
  }

  /** How far the picture shown is behind now, from the fragment dates in the playlist. */
  #showBehind() {
    const date = this.#hls?.playingDate;
    if (!date || this.#current?.mode !== "LIVE") {
      delete this.#video.dataset.behindMs;
      return;
    }
    this.#video.dataset.behindMs = String(Date.now() - date.getTime());
  }
}
