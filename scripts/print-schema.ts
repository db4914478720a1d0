// Writes the gateway's SDL to schema/schema.graphql (`npm run schema:print`).

import { writeFile } from "node:fs/promises";
import path from "node:path";
import { printGatewaySchema } from "../src/gateway/schema/print.ts";

const target = path.resolve(import.meta.dirname, "../schema/schema.graphql");
await writeFile(target, printGatewaySchema());
console.log(`wrote ${path.relative(process.cwd(), target)}`);
