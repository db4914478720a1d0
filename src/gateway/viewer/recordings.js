// The recording timeline of one day: a bar of its 24 hours from Stream.coverage (filled by how
// much of each hour is recorded, gaps empty), the day's recordings from Stream.recordings, and a
// thumbnail strip of the chosen hour from Stream.images. Clicking a recording or a thumbnail
// plays a clip from there. The day is the browser's own (its IANA time zone), or ?day=YYYY-MM-DD.

const COVERAGE = `query ViewerCoverage($name: String!, $range: TimeRange!, $timeZone: String!) {
  stream(name: $name) {
    __typename
    ... on Stream {
      coverage(range: $range, bucket: HOUR, timeZone: $timeZone) {
        __typename
        ... on Coverage { buckets { start end ratio fragmentCount } }
        ... on KvsError { code message }
      }
    }
    ... on KvsError { code message }
  }
}`;

const RECORDINGS = `query ViewerRecordings($name: String!, $range: TimeRange!, $after: String) {
  stream(name: $name) {
    __typename
    ... on Stream {
      recordings(range: $range, first: 100, after: $after) {
        __typename
        ... on RecordingConnection {
          pageInfo { hasNextPage endCursor }
          edges { node { start end durationMs fragmentCount gapBefore { durationMs } } }
        }
        ... on KvsError { code message }
      }
    }
    ... on KvsError { code message }
  }
}`;

const IMAGES = `query ViewerImages($name: String!, $range: TimeRange!, $interval: Int!) {
  stream(name: $name) {
    __typename
    ... on Stream {
      images(range: $range, samplingIntervalMs: $interval, format: JPEG, width: 160, height: 90, first: 25) {
        __typename
        ... on StreamImageConnection { edges { node { timestamp url error } } }
        ... on KvsError { code message }
      }
    }
    ... on KvsError { code message }
  }
}`;

/** Thumbnails per hour: one every five minutes, twelve in all (within one GetImages page). */
const THUMBNAIL_INTERVAL_MS = 5 * 60_000;
/** A clip started from a thumbnail or a recording lasts at most this long. */
const PLAY_MS = 60_000;
/**
 * A thumbnail is the key frame at or before its sampling point, so its fragment may start a few
 * seconds earlier; a clip from the point itself would miss it. Clips from a thumbnail start this
 * much earlier (fragments are usually 1 to 10 s).
 */
const THUMBNAIL_LEAD_MS = 10_000;
/** Pages of recordings read for one day at most (100 each). */
const MAX_RECORDING_PAGES = 10;

export class RecordingTimeline {
  /**
   * @param {{ graphql: Function, unwrap: Function, onProblem: (message: string) => void,
   *   play: (startMs: number, endMs: number) => void,
   *   elements: { day: HTMLElement, hours: HTMLElement, recordings: HTMLElement, thumbnails: HTMLElement } }} options
   */
  constructor(options) {
    this.options = options;
    this.name = "";
    this.generation = 0;
    this.timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  }

  /** The day shown: ?day=YYYY-MM-DD (local midnight to midnight), else today until now. */
  dayRange() {
    const asked = new URLSearchParams(location.search).get("day");
    const match = asked && /^(\d{4})-(\d{2})-(\d{2})$/.exec(asked);
    const start = match
      ? new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]))
      : new Date();
    start.setHours(0, 0, 0, 0);
    const end = new Date(start);
    end.setDate(end.getDate() + 1);
    return { startMs: start.getTime(), endMs: Math.min(end.getTime() - 1, Date.now() - 1000) };
  }

  async show(name) {
    this.name = name;
    const generation = ++this.generation;
    const { elements } = this.options;
    const day = this.dayRange();
    elements.day.textContent = `${new Date(day.startMs).toLocaleDateString()} (${this.timeZone})`;
    for (const cell of elements.hours.querySelectorAll(".hour")) cell.remove();
    elements.recordings.replaceChildren();
    elements.thumbnails.replaceChildren();
    const range = {
      start: new Date(day.startMs).toISOString(),
      end: new Date(day.endMs).toISOString(),
    };
    try {
      const [buckets, recordings] = await Promise.all([
        this.coverage(name, range),
        this.recordings(name, range),
      ]);
      if (generation !== this.generation) return;
      this.drawHours(buckets);
      this.listRecordings(recordings);
      // The thumbnail strip starts at the latest hour with footage.
      const latest = [...buckets].reverse().find((bucket) => bucket.fragmentCount > 0);
      if (latest) await this.thumbnails(Date.parse(latest.start), Date.parse(latest.end));
    } catch (error) {
      this.options.onProblem(`Recordings: ${error.message}`);
    }
  }

  async coverage(name, range) {
    const data = await this.options.graphql(COVERAGE, { name, range, timeZone: this.timeZone });
    const stream = this.options.unwrap(data.stream, "Stream");
    return this.options.unwrap(stream.coverage, "Coverage").buckets;
  }

  async recordings(name, range) {
    const found = [];
    let after = null;
    for (let page = 0; page < MAX_RECORDING_PAGES; page++) {
      const data = await this.options.graphql(RECORDINGS, { name, range, after });
      const stream = this.options.unwrap(data.stream, "Stream");
      const connection = this.options.unwrap(stream.recordings, "RecordingConnection");
      found.push(...connection.edges.map((edge) => edge.node));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    return found;
  }

  drawHours(buckets) {
    const { hours } = this.options.elements;
    for (const cell of hours.querySelectorAll(".hour")) cell.remove();
    hours.append(
      ...buckets.map((bucket) => {
        const start = Date.parse(bucket.start);
        const end = Date.parse(bucket.end);
        const cell = document.createElement("button");
        cell.type = "button";
        cell.className = "hour";
        cell.dataset.start = bucket.start;
        cell.dataset.ratio = String(bucket.ratio);
        const label = new Date(start).toLocaleTimeString([], {
          hour: "2-digit",
          minute: "2-digit",
        });
        cell.title = `${label}: ${(bucket.ratio * 100).toFixed(0)}% recorded, ${bucket.fragmentCount} fragments`;
        cell.setAttribute("aria-label", cell.title);
        const fill = document.createElement("span");
        fill.className = "fill";
        fill.style.height = `${Math.round(bucket.ratio * 100)}%`;
        cell.append(fill);
        cell.disabled = bucket.fragmentCount === 0;
        cell.addEventListener("click", () => {
          this.thumbnails(start, end).catch((error) =>
            this.options.onProblem(`Thumbnails: ${error.message}`),
          );
        });
        return cell;
      }),
    );
  }

  listRecordings(recordings) {
    const { elements } = this.options;
    if (recordings.length === 0) {
      const item = document.createElement("li");
      item.textContent = "No recordings on this day.";
      elements.recordings.replaceChildren(item);
      return;
    }
    elements.recordings.replaceChildren(
      ...recordings.map((recording) => {
        const item = document.createElement("li");
        item.className = "recording";
        const start = Date.parse(recording.start);
        const end = Date.parse(recording.end);
        const gap = recording.gapBefore
          ? `, after a gap of ${seconds(recording.gapBefore.durationMs)}`
          : "";
        const play = document.createElement("button");
        play.type = "button";
        play.textContent = "Play";
        play.addEventListener("click", () =>
          this.options.play(start, Math.min(end - 1, start + PLAY_MS)),
        );
        const text = document.createElement("span");
        text.textContent = `${clock(start)} to ${clock(end)}: ${seconds(recording.durationMs)}, ${recording.fragmentCount} fragments${gap}`;
        item.append(play, " ", text);
        return item;
      }),
    );
  }

  async thumbnails(startMs, endMs) {
    const generation = this.generation;
    const { elements } = this.options;
    const range = { start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString() };
    const data = await this.options.graphql(IMAGES, {
      name: this.name,
      range,
      interval: THUMBNAIL_INTERVAL_MS,
    });
    if (generation !== this.generation) return;
    const stream = this.options.unwrap(data.stream, "Stream");
    const images = this.options
      .unwrap(stream.images, "StreamImageConnection")
      .edges.map((edge) => edge.node);
    elements.thumbnails.replaceChildren(
      ...images.map((image) => {
        const at = Date.parse(image.timestamp);
        const figure = document.createElement("figure");
        figure.className = "thumbnail";
        if (image.url) {
          const button = document.createElement("button");
          button.type = "button";
          const img = document.createElement("img");
          img.src = image.url;
          img.alt = `Frame at ${clock(at)}`;
          img.width = 160;
          img.height = 90;
          button.append(img);
          button.addEventListener("click", () =>
            this.options.play(at - THUMBNAIL_LEAD_MS, at + PLAY_MS),
          );
          figure.append(button);
        } else {
          const none = document.createElement("span");
          none.className = "no-image";
          none.textContent = image.error === "NO_MEDIA" ? "No media" : "Unreadable frame";
          figure.append(none);
        }
        const caption = document.createElement("figcaption");
        caption.textContent = clock(at);
        figure.append(caption);
        return figure;
      }),
    );
  }
}

function clock(ms) {
  return new Date(ms).toLocaleTimeString([], {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
}

function seconds(ms) {
  return ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${(ms / 1000).toFixed(1)} s`;
}
