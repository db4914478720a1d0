// The SimpleTags of the Tags element being read: the complete ones in the order they ended, and
// the ones open around the current element (SimpleTags nest). Parallel arrays with counters,
// reused from one Tags element to the next: tag-dense GetMedia output has a dozen Tags elements
// per fragment, and an object (or an array length change) per tag showed up in profiles.

/** Above this many slots, clear() lets the arrays go rather than keep stale strings alive. */
const KEEP_SLOTS = 64;

export class SimpleTagGroup {
  /** Complete SimpleTags with a name. */
  count = 0;
  private names: string[] = [];
  private values: (string | null)[] = [];
  private openDepth = 0;
  private openNames: (string | null)[] = [];
  private openValues: (string | null)[] = [];

  clear(): void {
    if (this.names.length > KEEP_SLOTS) {
      this.names = [];
      this.values = [];
    }
    if (this.openNames.length > KEEP_SLOTS) {
      this.openNames = [];
      this.openValues = [];
    }
    this.count = 0;
    this.openDepth = 0;
  }

  name(i: number): string {
    return this.names[i] as string;
  }

  value(i: number): string | null {
    return this.values[i] ?? null;
  }

  /** Adds a complete, named SimpleTag. */
  add(name: string, value: string | null): void {
    this.names[this.count] = name;
    this.values[this.count] = value;
    this.count++;
  }

  /** A SimpleTag starts. */
  open(): void {
    this.openNames[this.openDepth] = null;
    this.openValues[this.openDepth] = null;
    this.openDepth++;
  }

  /** The innermost open SimpleTag's name so far (null when none, or none open). */
  get openName(): string | null {
    return this.openDepth === 0 ? null : (this.openNames[this.openDepth - 1] ?? null);
  }

  /** Sets the innermost open SimpleTag's name; a repeated TagName replaces the earlier one. */
  setName(name: string): void {
    if (this.openDepth > 0) this.openNames[this.openDepth - 1] = name;
  }

  setValue(value: string): void {
    if (this.openDepth > 0) this.openValues[this.openDepth - 1] = value;
  }

  /** The innermost open SimpleTag ends; it joins the group when complete and named. */
  close(complete: boolean): void {
    if (this.openDepth === 0) return;
    this.openDepth--;
    const name = this.openNames[this.openDepth] ?? null;
    if (complete && name !== null) this.add(name, this.openValues[this.openDepth] ?? null);
  }
}
