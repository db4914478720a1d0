// The install contract of the README's commands: `npm ci` must accept the committed lock on any
// platform (it refuses a lock that lacks other platforms' optional packages or disagrees with
// package.json), and exactly one graphql must be installed (two copies make schemas and errors
// "from another module or realm").
import { execFile } from "node:child_process";
import { copyFile, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { removeScratchDirectory, scratchDirectory } from "../support/scratch.ts";

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, "../..");

describe("the lock file", () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map(removeScratchDirectory)));

  async function ciDryRun(editLock?: (lock: { packages: Record<string, unknown> }) => void) {
    const dir = await scratchDirectory("lock-check-");
    dirs.push(dir);
    await copyFile(path.join(REPO, "package.json"), path.join(dir, "package.json"));
    const lock = JSON.parse(await readFile(path.join(REPO, "package-lock.json"), "utf8"));
    editLock?.(lock);
    await writeFile(path.join(dir, "package-lock.json"), JSON.stringify(lock));
    // --dry-run validates the lock against package.json exactly as `npm ci` does, then stops.
    return run("npm", ["ci", "--dry-run", "--ignore-scripts", "--no-audit", "--no-fund"], {
      cwd: dir,
    });
  }

  it("satisfies npm ci", async () => {
    await expect(ciDryRun()).resolves.toBeDefined();
  });

  it("would be refused without another platform's optional binary (so the check can fail)", async () => {
    await expect(
      ciDryRun((lock) => {
        const name = Object.keys(lock.packages).find((key) => key.includes("cli-darwin-arm64"));
        if (name === undefined) throw new Error("the lock holds no darwin-arm64 binary at all");
        delete lock.packages[name];
      }),
    ).rejects.toThrow(/in sync/);
  });

  it("records every optional dependency of every package it holds", async () => {
    const lock = JSON.parse(await readFile(path.join(REPO, "package-lock.json"), "utf8")) as {
      packages: Record<string, { optionalDependencies?: Record<string, string> }>;
    };
    const held = new Set(
      Object.keys(lock.packages).map((key) => key.replace(/^.*node_modules\//, "")),
    );
    const missing = Object.values(lock.packages).flatMap((entry) =>
      Object.keys(entry.optionalDependencies ?? {}).filter((name) => !held.has(name)),
    );
    expect(missing).toEqual([]);
  });
});

describe("graphql", () => {
  it("is installed exactly once", async () => {
    const copies: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        if (!entry.isDirectory()) continue;
        const child = path.join(dir, entry.name);
        if (entry.name.startsWith("@")) await walk(child);
        else {
          if (entry.name === "graphql") copies.push(path.relative(REPO, child));
          await walk(path.join(child, "node_modules"));
        }
      }
    };
    await walk(path.join(REPO, "node_modules"));
    expect(copies).toEqual(["node_modules/graphql"]);
    const { version } = JSON.parse(
      await readFile(path.join(REPO, "node_modules/graphql/package.json"), "utf8"),
    );
    expect(version).toMatch(/^17\./);
  });
});
