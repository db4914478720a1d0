// Minimal types for the `ebml` npm package (it ships none); only what the benchmark uses.
declare module "ebml" {
  import type { Transform } from "node:stream";

  export class Decoder extends Transform {}

  const ebml: { Decoder: typeof Decoder };
  export default ebml;
}
