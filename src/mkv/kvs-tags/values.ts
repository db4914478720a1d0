// Parsing the string values of the AWS_KINESISVIDEO_* tags in GetMedia output.

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** Whether value[from, to) is ASCII digits only (true when empty). Faster than a RegExp here. */
function digitsOnly(value: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = value.charCodeAt(i);
    if (c < DIGIT_0 || c > DIGIT_9) return false;
  }
  return true;
}

/**
 * Decimal seconds ("1511852109.126") to integer milliseconds, exactly (no float rounding); extra
 * decimals round up like the reference parser's ceil(x * 1000). Null when not a plain decimal.
 */
export function decimalSecondsToMs(value: string): number | null {
  const dot = value.indexOf(".");
  const wholeEnd = dot === -1 ? value.length : dot;
  if (wholeEnd === 0 || !digitsOnly(value, 0, wholeEnd)) return null;
  if (dot !== -1 && !digitsOnly(value, dot + 1, value.length)) return null;
  let ms = Number(value.slice(0, wholeEnd)) * 1000;
  if (dot !== -1) {
    for (let place = 1; dot + place < value.length; place++) {
      const digit = value.charCodeAt(dot + place) - DIGIT_0;
      if (place <= 3) ms += digit * 10 ** (3 - place);
      else if (digit !== 0) {
        ms += 1;
        break;
      }
    }
  }
  return Number.isSafeInteger(ms) ? ms : null;
}

/** A non-negative decimal integer, or null. */
export function parseNonNegativeInt(value: string): number | null {
  if (value.length === 0 || !digitsOnly(value, 0, value.length)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}

/** Drops the NUL padding EBML allows at the end of a string. */
export function stripNuls(value: string): string {
  let end = value.length;
  while (end > 0 && value.charCodeAt(end - 1) === 0) end--;
  return end === value.length ? value : value.slice(0, end);
}
