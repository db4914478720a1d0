// Which streams a principal may see: stream-name patterns where `*` matches any run of name
// characters and `?` one (KVS stream names are 1-256 of [a-zA-Z0-9_.-], so no escaping games).

/** What a pattern may hold: stream-name characters and the two wildcards. */
export const STREAM_PATTERN = /^[a-zA-Z0-9_.\-*?]{1,256}$/;

export class StreamPatterns {
  readonly patterns: readonly string[];
  readonly #matchers: readonly RegExp[];
  readonly #all: boolean;

  constructor(patterns: readonly string[]) {
    for (const pattern of patterns) {
      if (!STREAM_PATTERN.test(pattern)) throw new RangeError(`not a stream pattern: ${pattern}`);
    }
    this.patterns = patterns;
    this.#all = patterns.includes("*");
    this.#matchers = patterns.map(
      (pattern) =>
        new RegExp(
          `^${pattern.replace(/[.-]/g, "\\$&").replace(/\*/g, "[^]*").replace(/\?/g, "[^]")}$`,
        ),
    );
  }

  /** Every stream. */
  static readonly ALL = new StreamPatterns(["*"]);

  get allowsAll(): boolean {
    return this.#all;
  }

  allows(streamName: string): boolean {
    return this.#all || this.#matchers.some((matcher) => matcher.test(streamName));
  }
}

/** The stream name inside a KVS stream ARN (`arn:aws:kinesisvideo:<region>:<account>:stream/<name>/<creation>`). */
export function streamNameOfArn(arn: string): string | undefined {
  return /^arn:[a-z\d-]+:kinesisvideo:[a-z0-9-]+:[0-9]+:[a-z]+\/([a-zA-Z0-9_.-]+)\/[0-9]+$/.exec(
    arn,
  )?.[1];
}
