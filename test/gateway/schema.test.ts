import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { printGatewaySchema } from "../../src/gateway/schema/print.ts";

const committed = path.resolve(import.meta.dirname, "../../schema/schema.graphql");

describe("schema/schema.graphql", () => {
  it("is the printed, sorted schema of the code (run `npm run schema:print` when this fails)", async () => {
    expect(await readFile(committed, "utf8")).toBe(printGatewaySchema());
  });
});
