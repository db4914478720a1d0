import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { generate } from "@graphql-codegen/cli";
import { describe, expect, it } from "vitest";
import { codegenConfig } from "../../codegen.ts";

const root = path.resolve(import.meta.dirname, "../..");

describe("test/generated", () => {
  it("matches what `npm run codegen` generates from schema/schema.graphql and the test documents", async () => {
    const previous = process.cwd();
    process.chdir(root);
    let outputs: Array<{ filename: string; content: string }>;
    try {
      outputs = await generate({ ...codegenConfig, silent: true, cwd: root }, false);
    } finally {
      process.chdir(previous);
    }
    const expected = new Map(
      outputs.map((output) => [path.resolve(root, output.filename), output.content]),
    );
    const dir = path.join(root, "test/generated");
    const onDisk = (await readdir(dir)).map((name) => path.join(dir, name)).sort();
    expect(onDisk).toEqual([...expected.keys()].sort());
    for (const [file, content] of expected) {
      expect(
        await readFile(file, "utf8"),
        `${path.relative(root, file)} is stale: run npm run codegen`,
      ).toBe(content);
    }
  });
});
