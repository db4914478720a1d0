// A scratch directory for a test file's own files (clips written out, made videos, scripts).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

/** A new empty directory under the OS temp directory, its name starting with `prefix`. */
export function scratchDirectory(prefix: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

/** Removes a scratch directory and everything in it (nothing when it was never made). */
export async function removeScratchDirectory(directory: string | undefined): Promise<void> {
  if (directory !== undefined) await rm(directory, { recursive: true, force: true });
}
