import { readFile } from "node:fs/promises";
import path from "node:path";
import { parse, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { schema } from "../../src/gateway/schema/index.ts";

// The README's GraphQL examples are what newcomers paste first: they must stay valid.
const readme = await readFile(path.resolve(import.meta.dirname, "../../README.md"), "utf8");
const examples = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");

describe("README GraphQL examples", () => {
  it("has the first query, the subscription and the clip example", () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
  });

  it.each(examples.map((source, index) => [index, source]))(
    "example %i validates against the schema",
    (_, source) => {
      expect(validate(schema, parse(String(source))).map((error) => error.message)).toEqual([]);
    },
  );
});
