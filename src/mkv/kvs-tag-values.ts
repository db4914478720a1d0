// Parsing the string values of the AWS_KINESISVIDEO_* tags in GetMedia output.

/**
 * Decimal seconds ("1511852109.126") to integer milliseconds, exactly (no float rounding); extra
 * decimals round up like the reference parser's ceil(x * 1000). Null when not a plain decimal.
 */
export function decimalSecondsToMs(value: string): number | null {
  const m = /^(\d+)(?:\.(\d*))?$/.exec(value);
  if (m === null) return null;
  const whole = m[1] as string;
  const fraction = m[2] ?? "";
  let ms = Number(whole) * 1000 + Number(`${fraction}000`.slice(0, 3));
  if (/[1-9]/.test(fraction.slice(3))) ms += 1;
  return Number.isSafeInteger(ms) ? ms : null;
}

/** A non-negative decimal integer, or null. */
export function parseNonNegativeInt(value: string): number | null {
  if (!/^\d+$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}

/** Drops the NUL padding EBML allows at the end of a string. */
export function stripNuls(value: string): string {
  let end = value.length;
  while (end > 0 && value.charCodeAt(end - 1) === 0) end--;
  return end === value.length ? value : value.slice(0, end);
}
