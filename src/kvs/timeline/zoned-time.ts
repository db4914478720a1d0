// Calendar buckets (minute, hour, day) in a named IANA time zone, so a day on a coverage bar is
// the viewer's day: 23 or 25 hours long across daylight-saving changes, and starting at local
// midnight whatever the zone's offset (including half- and quarter-hour offsets).

export type BucketUnit = "MINUTE" | "HOUR" | "DAY";

const UNIT_MS: Record<BucketUnit, number> = {
  MINUTE: 60_000,
  HOUR: 3_600_000,
  DAY: 86_400_000,
};

const formatters = new Map<string, Intl.DateTimeFormat>();

/** True when `timeZone` is a zone this runtime knows (an IANA name such as "Europe/Berlin", or "UTC"). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    if (formatters.size < 1000) formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The zone's offset from UTC at `instantMs`, in ms (local wall time minus UTC). */
export function offsetAt(instantMs: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instantMs))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  const wall = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return wall - (instantMs - (((instantMs % 1000) + 1000) % 1000));
}

/** The start of the bucket holding `instantMs`. */
export function bucketStart(instantMs: number, unit: BucketUnit, timeZone: string): number {
  const offset = offsetAt(instantMs, timeZone);
  const wall = instantMs + offset;
  const wallFloor = Math.floor(wall / UNIT_MS[unit]) * UNIT_MS[unit];
  // The instant of that wall time: its own offset may differ (a DST change inside the bucket).
  let instant = wallFloor - offset;
  const corrected = wallFloor - offsetAt(instant, timeZone);
  if (corrected <= instantMs) instant = corrected;
  return Math.min(instant, instantMs);
}

/** The start of the bucket after the one starting at `startMs`. */
export function nextBucketStart(startMs: number, unit: BucketUnit, timeZone: string): number {
  // Half a unit past the nominal length lands inside the next bucket whatever DST does
  // (days are 23 to 25 hours, hours 0.5 to 1.5 with the odd zone), and its start is the answer.
  const next = bucketStart(startMs + UNIT_MS[unit] * 1.5, unit, timeZone);
  return next > startMs ? next : startMs + UNIT_MS[unit];
}

/** Nominal length of a bucket of `unit`. */
export function unitMs(unit: BucketUnit): number {
  return UNIT_MS[unit];
}
