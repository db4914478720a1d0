import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // graphql ships CJS (index.js) and ESM (index.mjs) without an exports map: Node loads the CJS
    // for Pothos and Yoga, so test code must get the same instance ("another module or realm").
    alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The machines have 2 cores; e2e suites start servers and ffmpeg.
    maxWorkers: 2,
  },
});
