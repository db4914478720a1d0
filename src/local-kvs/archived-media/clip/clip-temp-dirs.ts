// GetClip builds each MP4 in its own directory under the OS temp directory and removes it once
// the answer is sent. A process killed meanwhile leaves the directory behind, so each start
// removes the ones no running build can still own.

import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PREFIX = "kvs-local-clip-";
/**
 * Untouched this long, a clip directory belongs to no running server (a build takes seconds),
 * so a sweep never hurts another kvs-local using the same temp directory.
 */
const STALE_AFTER_MS = 60 * 60_000;

export function makeClipDirectory(): Promise<string> {
  return mkdtemp(join(tmpdir(), PREFIX));
}

/** When the directory or anything in it last changed (0 when it is gone). */
async function lastChangeMs(dir: string): Promise<number> {
  let newest = (await stat(dir).catch(() => undefined))?.mtimeMs ?? 0;
  for (const name of await readdir(dir).catch(() => [])) {
    newest = Math.max(newest, (await stat(join(dir, name)).catch(() => undefined))?.mtimeMs ?? 0);
  }
  return newest;
}

/** Removes stale clip directories under `parent`; returns how many went. */
export async function sweepStaleClipDirectories(
  parent = tmpdir(),
  nowMs = Date.now(),
): Promise<number> {
  let removed = 0;
  for (const entry of await readdir(parent, { withFileTypes: true })) {
    if (!entry.isDirectory() || !entry.name.startsWith(PREFIX)) continue;
    const dir = join(parent, entry.name);
    const changed = await lastChangeMs(dir);
    if (changed === 0 || nowMs - changed < STALE_AFTER_MS) continue;
    await rm(dir, { recursive: true, force: true });
    removed++;
  }
  return removed;
}
