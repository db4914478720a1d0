import { describe, expect, it } from "vitest";
import {
  type ClipGrant,
  ClipSigner,
  grantFromParams,
  grantToParams,
} from "../../../src/kvs/clips/signing.ts";
import { LinkTokenError, type LinkTokenFailureReason } from "../../../src/kvs/core/link-signing.ts";

const NOW = Date.parse("2025-03-01T12:00:00.000Z");
const OLD_KEY = { id: "k1", secret: Buffer.from("an-old-secret-that-is-long-enough-0001") };
const NEW_KEY = { id: "k2", secret: Buffer.from("a-new-secret-that-is-long-enough-00002") };
const GRANT: ClipGrant = {
  streamArn: "arn:aws:kinesisvideo:us-east-1:123456789012:stream/cam-1/1700000000000",
  timestampType: "PRODUCER_TIMESTAMP",
  startMs: Date.parse("2025-03-01T11:00:00.123Z"),
  endMs: Date.parse("2025-03-01T11:03:00.456Z"),
  expiresAtMs: NOW + 3_600_000,
};

function signer(keys = [NEW_KEY, OLD_KEY], now = NOW): ClipSigner {
  return new ClipSigner({ keys, now: () => now });
}

function failure(run: () => unknown): LinkTokenFailureReason {
  try {
    run();
  } catch (error) {
    if (error instanceof LinkTokenError) return error.reason;
    throw error;
  }
  throw new Error("expected a LinkTokenError");
}

describe("ClipSigner", () => {
  it("refuses short secrets and duplicate key ids", () => {
    expect(() => new ClipSigner({ keys: [{ id: "k", secret: Buffer.alloc(31) }] })).toThrow(
      /32 bytes/,
    );
    expect(() => new ClipSigner({ keys: [NEW_KEY, { ...OLD_KEY, id: "k2" }] })).toThrow(/twice/);
    expect(() => new ClipSigner({ keys: [] })).toThrow(/at least one key/);
  });

  it("round-trips a grant through URL parameters with millisecond precision", () => {
    const params = grantToParams(signer().sign(GRANT));
    expect(params.get("start")).toBe("2025-03-01T11:00:00.123Z");
    expect(signer().verifyParams(new URLSearchParams(params.toString()))).toEqual(GRANT);
  });

  it("signs with the first (newest) key and verifies URLs signed with an older key", () => {
    const signed = signer().sign(GRANT);
    expect(signed.keyId).toBe("k2");
    const signedByOld = signer([OLD_KEY]).sign(GRANT);
    expect(signedByOld.keyId).toBe("k1");
    expect(signer().verify(signedByOld)).toEqual(GRANT);
  });

  it("refuses a URL signed with a key that is no longer configured", () => {
    const signedByOld = signer([OLD_KEY]).sign(GRANT);
    expect(failure(() => signer([NEW_KEY]).verify(signedByOld))).toBe("unknown-key");
  });

  it("refuses a URL whose key id was swapped for another configured key", () => {
    const signed = signer().sign(GRANT);
    expect(failure(() => signer().verify({ ...signed, keyId: "k1" }))).toBe("bad-signature");
  });

  it.each([
    ["stream", { streamArn: `${GRANT.streamArn}0` }],
    ["selector type", { timestampType: "SERVER_TIMESTAMP" as const }],
    ["start by 1 ms", { startMs: GRANT.startMs - 1 }],
    ["end by 1 ms", { endMs: GRANT.endMs + 1 }],
    ["expiry", { expiresAtMs: GRANT.expiresAtMs + 1000 }],
  ])("refuses a URL whose %s was changed", (_field, change) => {
    const signed = signer().sign(GRANT);
    expect(failure(() => signer().verify({ ...signed, ...change }))).toBe("bad-signature");
  });

  it("refuses a tampered or truncated signature", () => {
    const signed = signer().sign(GRANT);
    const bytes = Buffer.from(signed.signature, "base64url");
    bytes[5] = (bytes[5] ?? 0) ^ 1;
    expect(
      failure(() => signer().verify({ ...signed, signature: bytes.toString("base64url") })),
    ).toBe("bad-signature");
    expect(
      failure(() => signer().verify({ ...signed, signature: signed.signature.slice(0, 20) })),
    ).toBe("bad-signature");
  });

  describe("refuses a signature that is not exactly the 43-character base64url HMAC", () => {
    const signed = signer().sign(GRANT);
    const sig = signed.signature;
    const middle = Math.floor(sig.length / 2);
    const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    // 42 characters carry 252 bits: the last one carries 4 more and 2 spare bits.
    const lastValue = ALPHABET.indexOf(sig.at(-1) ?? "");
    const spareBitFlipped = `${sig.slice(0, -1)}${ALPHABET[lastValue ^ 1]}`;

    it.each([
      ["an appended '!'", `${sig}!`],
      ["an appended '='", `${sig}=`],
      ["base64 padding '=='", `${sig}==`],
      ["a '*' inserted mid-signature", `${sig.slice(0, middle)}*${sig.slice(middle)}`],
      ["a '.' inserted mid-signature", `${sig.slice(0, middle)}.${sig.slice(middle)}`],
      ["an appended space", `${sig} `],
      ["an appended newline", `${sig}\n`],
      ["a leading space", ` ${sig}`],
      ["one character short", sig.slice(0, -1)],
      ["one valid character more", `${sig}A`],
      ["a changed spare bit in the last character", spareBitFlipped],
      ["an empty string", ""],
    ])("%s", (_case, signature) => {
      expect(signature).not.toBe(sig);
      expect(failure(() => signer().verify({ ...signed, signature }))).toBe("bad-signature");
    });

    it("in the standard base64 alphabet ('+' and '/' for '-' and '_')", () => {
      // Find a signature that has a '-' or '_' (almost every one does) to re-spell.
      let grant = signed;
      for (let n = 1; !/[-_]/.test(grant.signature); n++)
        grant = signer().sign({ ...GRANT, expiresAtMs: GRANT.expiresAtMs + n });
      const standard = grant.signature.replaceAll("-", "+").replaceAll("_", "/");
      expect(standard).not.toBe(grant.signature);
      expect(failure(() => signer().verify({ ...grant, signature: standard }))).toBe(
        "bad-signature",
      );
      expect(signer().verify(grant)).toMatchObject({ expiresAtMs: grant.expiresAtMs });
    });
  });

  it("refuses an expired URL, and accepts it until the expiry", () => {
    const signed = signer().sign(GRANT);
    expect(signer(undefined, GRANT.expiresAtMs - 1).verify(signed)).toEqual(GRANT);
    expect(failure(() => signer(undefined, GRANT.expiresAtMs).verify(signed))).toBe("expired");
  });

  it("refuses malformed query strings", () => {
    const params = grantToParams(signer().sign(GRANT));
    for (const name of ["stream", "timestampType", "start", "end", "expires", "kid", "sig"]) {
      const missing = new URLSearchParams(params);
      missing.delete(name);
      expect(failure(() => grantFromParams(missing))).toBe("malformed");
    }
    const badDate = new URLSearchParams(params);
    badDate.set("start", "yesterday");
    expect(failure(() => grantFromParams(badDate))).toBe("malformed");
    const badType = new URLSearchParams(params);
    badType.set("timestampType", "NOW");
    expect(failure(() => grantFromParams(badType))).toBe("malformed");
    const repeated = new URLSearchParams(params);
    repeated.append("end", params.get("end") ?? "");
    expect(failure(() => grantFromParams(repeated))).toBe("malformed");
  });
});

describe("assembled clip links (whole range, timelapse)", () => {
  const whole: ClipGrant = { ...GRANT, assembly: { kind: "whole" } };
  const timelapse: ClipGrant = { ...GRANT, assembly: { kind: "timelapse", speed: 60 } };

  it("round-trips the assembly through the URL", () => {
    for (const grant of [whole, timelapse]) {
      const params = new URLSearchParams(grantToParams(signer().sign(grant)).toString());
      expect(signer().verifyParams(params)).toEqual(grant);
    }
    const params = grantToParams(signer().sign(timelapse));
    expect([params.get("assemble"), params.get("speed")]).toEqual(["timelapse", "60"]);
  });

  it("signs the assembly: one GetClip, the whole range and each speed are different links", () => {
    const signatures = [
      GRANT,
      whole,
      timelapse,
      { ...timelapse, assembly: { kind: "timelapse", speed: 61 } } as ClipGrant,
    ].map((grant) => signer().sign(grant).signature);
    expect(new Set(signatures).size).toBe(4);
  });

  it("refuses a link whose assembly or speed was changed", () => {
    const params = grantToParams(signer().sign(timelapse));
    const faster = new URLSearchParams(params);
    faster.set("speed", "600");
    expect(failure(() => signer().verifyParams(faster))).toBe("bad-signature");
    const dropped = new URLSearchParams(params);
    dropped.delete("assemble");
    dropped.delete("speed");
    expect(failure(() => signer().verifyParams(dropped))).toBe("bad-signature");
    const single = new URLSearchParams(grantToParams(signer().sign(GRANT)));
    single.set("assemble", "whole");
    expect(failure(() => signer().verifyParams(single))).toBe("bad-signature");
  });

  it("refuses malformed assembly parameters before checking the signature", () => {
    const base = grantToParams(signer().sign(timelapse));
    const cases: Array<[string, string | undefined, string | undefined]> = [
      ["slideshow", "60", undefined],
      ["timelapse", undefined, undefined],
      ["timelapse", "1", undefined],
      ["timelapse", "1001", undefined],
      ["timelapse", "6e1", undefined],
      ["whole", "60", undefined],
      [undefined as unknown as string, "60", undefined],
    ];
    for (const [assemble, speed] of cases) {
      const params = new URLSearchParams(base);
      params.delete("assemble");
      params.delete("speed");
      if (assemble !== undefined) params.set("assemble", assemble);
      if (speed !== undefined) params.set("speed", speed);
      expect(failure(() => grantFromParams(params))).toBe("malformed");
    }
  });
});
