// scripts/check-node.mjs, preloaded by every npm script that runs the sources: on a Node older
// than package.json's engines it must stop at once with one line naming the version found, the
// version needed and how to get it.
import { execFile } from "node:child_process";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { removeScratchDirectory, scratchDirectory } from "../support/scratch.ts";

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, "../..");

describe("scripts/check-node.mjs", () => {
  let dir: string | undefined;
  afterAll(() => removeScratchDirectory(dir));

  /** Runs a copy of the check beside a package.json that needs Node `needed`. */
  async function checkAgainst(needed: string) {
    dir ??= await scratchDirectory("check-node-");
    const root = path.join(dir, needed);
    await mkdir(path.join(root, "scripts"), { recursive: true });
    await copyFile(
      path.join(REPO, "scripts/check-node.mjs"),
      path.join(root, "scripts/check-node.mjs"),
    );
    await writeFile(path.join(root, "package.json"), JSON.stringify({ engines: { node: needed } }));
    return run(process.execPath, [
      "--import",
      path.join(root, "scripts/check-node.mjs"),
      "-e",
      "console.log('started')",
    ]);
  }

  it("lets the project's own Node through", async () => {
    const { engines } = JSON.parse(await readFile(path.join(REPO, "package.json"), "utf8"));
    expect(engines.node).toBe(">=22.18");
    const { stdout, stderr } = await checkAgainst(engines.node);
    expect(stdout).toBe("started\n");
    expect(stderr).toBe("");
  });

  it("stops an older Node with one line: found, needed, how to get it", async () => {
    const failure = await checkAgainst(">=99.1").then(
      () => null,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stdout).toBe("");
    const lines = failure?.stderr.trim().split("\n") ?? [];
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`Node ${process.versions.node} found`);
    expect(lines[0]).toContain("needs Node >= 99.1");
    expect(lines[0]).toContain("npm install -g node@24");
  });
});
