// Settings that work but are risky against AWS come back as warnings that `npm start` prints.

import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";

const KEYS = `k1:${Buffer.alloc(32, 1).toString("base64")}`;

describe("config warnings", () => {
  it("warns in AWS mode without PUBLIC_URL that links follow the client's Host header", () => {
    const config = loadConfig({ AWS_REGION: "eu-west-1", AUTH: "off", CLIP_SIGNING_KEYS: KEYS });
    expect(config.warnings).toEqual([expect.stringMatching(/^PUBLIC_URL is not set: .*Host/)]);
  });

  it("does not warn in AWS mode with PUBLIC_URL and signing keys", () => {
    const config = loadConfig({
      AWS_REGION: "eu-west-1",
      AUTH: "off",
      CLIP_SIGNING_KEYS: KEYS,
      PUBLIC_URL: "https://video.example.com/",
    });
    expect(config.publicUrl).toBe("https://video.example.com");
    expect(config.warnings).toEqual([]);
  });

  it("warns in AWS mode about a throwaway signing key", () => {
    const config = loadConfig({
      AWS_REGION: "eu-west-1",
      AUTH: "off",
      PUBLIC_URL: "https://v.example.com",
    });
    expect(config.warnings).toEqual([expect.stringMatching(/^CLIP_SIGNING_KEYS is not set/)]);
  });

  it("keeps the Host-derived origin without a word against the embedded kvs-local", () => {
    expect(loadConfig({}).warnings).toEqual([]);
  });
});
