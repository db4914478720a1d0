// The clip cache's private spill directories inside CLIP_CACHE_DIR. Each process makes its own,
// named after its pid, and removes it on a clean stop; a crash (kill -9, OOM) leaves it behind,
// holding up to CLIP_CACHE_DIR_MAX_MB that nothing will ever read. At start, the gateway removes
// every such directory whose process is gone: its pid is not running, or is this very process
// (a container restarted as pid 1 again). A directory without a pid in its name (made by an older
// gateway) is removed too. A CLIP_CACHE_DIR is meant for processes of one host: pids of another
// host's processes can't be checked.

import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";

export const SPILL_DIRECTORY_PREFIX = "kvs-clips-";

/** The mkdtemp prefix of this process's spill directory inside `parent`. */
export function spillDirectoryPrefix(parent: string, pid = process.pid): string {
  return join(parent, `${SPILL_DIRECTORY_PREFIX}${pid}-`);
}

const NAMED = /^kvs-clips-(?:(\d{1,10})-)?[A-Za-z0-9]{6}$/;

function isRunning(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes the spill directories in `parent` left by processes that are gone; returns their paths. */
export async function removeStaleSpillDirectories(parent: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(parent);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const removed: string[] = [];
  for (const name of entries) {
    const match = NAMED.exec(name);
    if (match === null) continue;
    const pid = match[1] === undefined ? undefined : Number(match[1]);
    if (pid !== undefined && isRunning(pid)) continue;
    const path = join(parent, name);
    await rm(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}
