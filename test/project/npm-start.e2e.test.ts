// `npm start` as a user runs it: Node runs src/main.ts itself, the embedded kvs-local comes up
// with the demo stream, GraphiQL is served, and nothing warns about the Node version.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const REPO = path.resolve(import.meta.dirname, "../..");

describe("npm start", () => {
  let child: ChildProcess | undefined;
  let stderr = "";
  afterAll(async () => {
    if (child?.pid === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child?.once("exit", resolve));
    // npm and the node it starts are one process group (detached): stop them together.
    process.kill(-child.pid, "SIGTERM");
    await exited;
  });

  it("serves GraphiQL and the demo stream, with no NodeVersionSupportWarning", async () => {
    child = spawn("npm", ["start", "--silent"], {
      cwd: REPO,
      env: { ...process.env, PORT: "0", KVS_BACKEND: "local", KVS_LOCAL_IN_MEMORY: "true" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      child?.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const match = /GraphQL gateway: (http:\/\/\S+\/graphql)/.exec(out);
        if (match?.[1]) resolve(match[1]);
      });
      child?.once("exit", (code) => reject(new Error(`npm start exited with ${code}: ${stderr}`)));
    });

    const page = await fetch(url, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("GraphiQL");

    // The demo stream exists once the embedded backend created it; its fragments follow.
    let name: unknown;
    for (let attempt = 0; attempt < 50 && name !== "demo"; attempt++) {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: '{ stream(name: "demo") { ... on Stream { name } } }' }),
      });
      const body = (await response.json()) as { data?: { stream?: { name?: string } } };
      name = body.data?.stream?.name;
      if (name !== "demo") await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(name).toBe("demo");
    expect(stderr).not.toContain("NodeVersionSupportWarning");
    expect(stderr).not.toMatch(/ExperimentalWarning|EBADENGINE/);
  });
});
