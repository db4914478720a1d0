// Fragment numbers are decimal strings (KVS's are 47 digits today, the API allows up to 128):
// numeric order is "shorter first, then text order", which plain string comparison gets wrong
// ("99" > "913…").

/** Negative, zero or positive as `a` is numerically below, equal to or above `b`. */
export function compareFragmentNumbers(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
