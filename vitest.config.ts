import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // graphql 17's exports map has a "development" build that Vite's resolver would pick for our
    // sources, while Yoga and Pothos (loaded by Node itself) get the file Node resolves: pin test
    // and source code to that same file, or schemas and errors come from "another realm".
    alias: [{ find: /^graphql$/, replacement: fileURLToPath(import.meta.resolve("graphql")) }],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The machines have 2 cores; e2e suites start servers and ffmpeg.
    maxWorkers: 2,
  },
});
