import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { InvalidMediaFrameError, ResourceNotFoundError } from "../core/errors.ts";
import type { ListFragmentsCall } from "../core/fragments.ts";
import type { GetClipCall } from "./downloads.ts";
import { Fmp4Stitcher, StitchError, type StitchMode } from "./fmp4-stitcher.ts";
import type { ClipGovernor } from "./governor.ts";
import { type ClipPartWindowsOptions, clipPartsInWindows } from "./part-windows.ts";
import type { ClipPartPlan } from "./parts.ts";
import type { ClipGrant } from "./signing.ts";

/**
 * One download of a whole range: the parts' GetClips one after another (each through the
 * stream's governor), each saved to a temporary file as it arrives and remuxed from there into
 * the one fragmented MP4 the client receives while the next part is not yet asked for. At most
 * one part is in flight, on disk; memory holds the reader's cache and one output fragment.
 *
 * `ready` resolves with the first output bytes (after the first part's GetClip), so errors before
 * that (no fragment, a refused GetClip, a full governor queue) still get their HTTP status. Later
 * failures end `body` with the error, which cuts the response short: the client sees a truncated
 * transfer, never a complete-looking file. Destroying `body` (the client left) aborts the GetClip
 * under way and asks for no further part.
 */

export interface StitchedDownload {
  readonly ready: Promise<void>;
  readonly body: Readable;
}

export interface StitchedDownloadDeps {
  getClip: GetClipCall;
  governor: ClipGovernor;
  /** ListFragments of the grant's stream and selector, for planning the parts, bound to `signal`. */
  listFragments: (grant: ClipGrant, signal: AbortSignal) => ListFragmentsCall;
  partWindows?: Omit<ClipPartWindowsOptions, "signal" | "pace">;
  /** Waits for a ListFragments call's turn on the stream (KVS allows 5 per second). */
  paceListFragments?: (streamArn: string, signal: AbortSignal | undefined) => Promise<void>;
  /** Where the part being remuxed is kept (default: the OS's temporary directory). */
  tempDirectory?: string;
  /** A second destination for the output bytes (the cache's file), written before the client's. */
  tee?: (bytes: Uint8Array) => Promise<void>;
  /** Called once with the outcome: the size on success, the error otherwise. */
  onEnd?: (outcome: { ok: true; size: number } | { ok: false; error: unknown }) => void;
  log?: (message: string, error: unknown) => void;
}

const BODY_HIGH_WATER_MARK = 512 * 1024;

export function openStitchedDownload(
  grant: ClipGrant,
  deps: StitchedDownloadDeps,
): StitchedDownload {
  const abort = new AbortController();
  const body = new PassThrough({ highWaterMark: BODY_HIGH_WATER_MARK });
  // The client left, or the body ended: nothing more is asked of KVS.
  body.once("close", () =>
    abort.abort(new DOMException("the clip download was closed", "AbortError")),
  );
  let started = false;
  let markReady: () => void = () => {};
  let failReady: (error: unknown) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  ready.catch(() => {});

  const write = async (bytes: Uint8Array) => {
    abort.signal.throwIfAborted();
    await deps.tee?.(bytes);
    if (!started) {
      started = true;
      markReady();
    }
    if (!body.write(bytes)) await once(body, "drain", { signal: abort.signal });
  };
  const mode: StitchMode =
    grant.assembly?.kind === "timelapse"
      ? { kind: "timelapse", speed: grant.assembly.speed }
      : { kind: "whole" };

  void (async () => {
    const progress = { part: 0 };
    try {
      const size = await stitch(grant, mode, deps, write, abort.signal, progress);
      body.end();
      deps.onEnd?.({ ok: true, size });
    } catch (error) {
      const cause = abort.signal.aborted ? abort.signal.reason : error;
      deps.onEnd?.({ ok: false, error: cause });
      if (!started) {
        failReady(error instanceof StitchError ? new InvalidMediaFrameError(error.message) : cause);
        body.destroy();
        return;
      }
      if (!abort.signal.aborted) {
        (deps.log ?? defaultLog)(
          `clip download of ${grant.streamArn} [${new Date(grant.startMs).toISOString()}, ${new Date(grant.endMs).toISOString()}] broke off in part ${progress.part}:`,
          error,
        );
      }
      body.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  })();
  return { ready, body };
}

async function stitch(
  grant: ClipGrant,
  mode: StitchMode,
  deps: StitchedDownloadDeps,
  write: (bytes: Uint8Array) => Promise<void>,
  signal: AbortSignal,
  progress: { part: number },
): Promise<number> {
  const directory = await mkdtemp(join(deps.tempDirectory ?? tmpdir(), "kvs-stitch-"));
  const stitcher = new Fmp4Stitcher(write, mode);
  try {
    const parts = clipPartsInWindows(
      deps.listFragments(grant, signal),
      grant.timestampType,
      { startMs: grant.startMs, endMs: grant.endMs },
      {
        ...deps.partWindows,
        signal,
        ...(deps.paceListFragments === undefined
          ? {}
          : { pace: (s) => deps.paceListFragments?.(grant.streamArn, s) ?? Promise.resolve() }),
      },
    );
    let firstProducerMs: number | undefined;
    for await (const plan of parts) {
      progress.part++;
      const path = join(directory, `part-${progress.part}.mp4`);
      await fetchPart(grant, plan, deps, path, signal);
      firstProducerMs ??= plan.firstProducerMs;
      await stitcher.addPart(path, (plan.firstProducerMs - firstProducerMs) / 1000);
      await rm(path, { force: true });
      signal.throwIfAborted();
    }
    if (progress.part === 0) {
      throw new ResourceNotFoundError("No fragments found in the requested time range.");
    }
    await stitcher.finish();
    return stitcher.writtenBytes;
  } catch (error) {
    await stitcher.cancel().catch(() => {});
    throw error;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** The part's GetClip, paced by the governor, saved to `path`. */
async function fetchPart(
  grant: ClipGrant,
  plan: ClipPartPlan,
  deps: StitchedDownloadDeps,
  path: string,
  signal: AbortSignal,
): Promise<void> {
  const part: ClipGrant = {
    streamArn: grant.streamArn,
    timestampType: grant.timestampType,
    startMs: plan.startMs,
    endMs: plan.endMs,
    expiresAtMs: grant.expiresAtMs,
  };
  const response = await deps.governor.run(
    grant.streamArn,
    () => deps.getClip(part, signal),
    signal,
  );
  await pipeline(response.body, createWriteStream(path), { signal });
}

function defaultLog(message: string, error: unknown): void {
  console.error(message, error);
}
