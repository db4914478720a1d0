// Preloaded by the npm scripts (`node --import ./scripts/check-node.mjs …`) so that an older Node
// stops with one clear line instead of failing on the first `.ts` import: Node runs this
// project's TypeScript itself only from 22.18 (type stripping on by default). Plain JavaScript on
// purpose: it must run on any Node.
import { readFileSync } from "node:fs";

const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const needed = manifest.engines.node.replace(/^>=\s*/, "");
const parts = (version) => version.replace(/^v/, "").split(".").map(Number);
const [major, minor] = parts(process.versions.node);
const [needMajor, needMinor] = parts(needed);

if (major < needMajor || (major === needMajor && minor < needMinor)) {
  console.error(
    `Node ${process.versions.node} found; this project needs Node >= ${needed} (Node 24 LTS is the reference): install it from nodejs.org, with nvm (\`nvm install 24\`), or from npm (\`npm install -g node@24\`).`,
  );
  process.exit(1);
}
