// Decodes one key frame to a JPEG or PNG with ffmpeg (GetImages). ffmpeg is found on PATH, or at
// KVS_LOCAL_FFMPEG; without it GetImages answers an error naming what is missing and every other
// operation works as before. Decodes are bounded: a few processes at once (the rest queue), each
// killed after a timeout or when the request is abandoned, with bounded output.
import { spawn } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";

export type ImageFormat = "JPEG" | "PNG";

export interface FrameDecodeRequest {
  /** A Matroska document holding the track header and the one key frame to decode. */
  document: Uint8Array;
  format: ImageFormat;
  /** Both or neither (GetImages refuses one without the other). */
  size?: { width: number; height: number } | undefined;
  /** JPEG quality 1-100 (KVS's JPEGQuality); ignored for PNG. */
  jpegQuality: number;
}

/** Why a frame gave no image (GetImages reports it as MEDIA_ERROR). */
export class FrameDecodeError extends Error {
  override readonly name = "FrameDecodeError";
}

const FFMPEG_ENV = "KVS_LOCAL_FFMPEG";
const DECODE_TIMEOUT_MS = 10_000;
const MAX_CONCURRENT_DECODES = 2;
/** Larger than any 3840×2160 PNG of real video. */
const MAX_IMAGE_BYTES = 64 * 1024 * 1024;
const MAX_STDERR_BYTES = 4096;

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * The ffmpeg executable: $KVS_LOCAL_FFMPEG when set (it must be executable), else the first
 * `ffmpeg` on PATH. Undefined with a reason when there is none.
 */
export function findFfmpeg(
  env: NodeJS.ProcessEnv = process.env,
): { path: string } | { missing: string } {
  const configured = env[FFMPEG_ENV];
  if (configured !== undefined && configured !== "") {
    return isExecutableFile(configured)
      ? { path: configured }
      : { missing: `${FFMPEG_ENV}=${configured} is not an executable file` };
  }
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (dir === "") continue;
    const candidate = path.join(dir, "ffmpeg");
    if (isExecutableFile(candidate)) return { path: candidate };
  }
  return { missing: `no executable named ffmpeg on PATH (install ffmpeg or set ${FFMPEG_ENV})` };
}

/** JPEGQuality 1 (smallest) … 100 (best) → ffmpeg's mjpeg -q:v 31 (worst) … 2 (best). */
export function jpegQscale(quality: number): number {
  return Math.round(31 - ((quality - 1) * 29) / 99);
}

function ffmpegArgs(request: FrameDecodeRequest): string[] {
  const args = ["-hide_banner", "-loglevel", "error", "-f", "matroska", "-i", "pipe:0"];
  args.push("-map", "0:v:0", "-frames:v", "1", "-an");
  if (request.size) {
    // KVS stretches to the asked size (no aspect ratio kept).
    args.push("-vf", `scale=${request.size.width}:${request.size.height}:flags=bicubic,setsar=1`);
  }
  if (request.format === "JPEG") {
    args.push(
      "-c:v",
      "mjpeg",
      "-pix_fmt",
      "yuvj420p",
      "-q:v",
      String(jpegQscale(request.jpegQuality)),
    );
  } else {
    args.push("-c:v", "png", "-pix_fmt", "rgb24");
  }
  args.push("-f", "image2pipe", "pipe:1");
  return args;
}

/** A counting semaphore: at most `limit` holders, the rest wait in order. */
class Slots {
  readonly #limit: number;
  #held = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  async acquire(signal: AbortSignal): Promise<() => void> {
    signal.throwIfAborted();
    if (this.#held >= this.#limit) {
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        };
        const onAbort = () => {
          const at = this.#waiting.indexOf(wake);
          if (at >= 0) this.#waiting.splice(at, 1);
          reject(signal.reason);
        };
        this.#waiting.push(wake);
        signal.addEventListener("abort", onAbort, { once: true });
      });
    }
    this.#held++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#held--;
      this.#waiting.shift()?.();
    };
  }
}

const slots = new Slots(MAX_CONCURRENT_DECODES);

export async function decodeFrame(
  ffmpeg: string,
  request: FrameDecodeRequest,
  signal: AbortSignal,
): Promise<Buffer> {
  const release = await slots.acquire(signal);
  try {
    return await runFfmpeg(ffmpeg, ffmpegArgs(request), request.document, signal);
  } finally {
    release();
  }
}

function runFfmpeg(
  ffmpeg: string,
  args: string[],
  input: Uint8Array,
  signal: AbortSignal,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg, args, {
      stdio: ["pipe", "pipe", "pipe"],
      signal,
      timeout: DECODE_TIMEOUT_MS,
      killSignal: "SIGKILL",
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderr = "";
    let failure: Error | undefined;
    child.stdout.on("data", (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > MAX_IMAGE_BYTES) {
        failure = new FrameDecodeError("the decoded image is too large");
        child.kill("SIGKILL");
        return;
      }
      out.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < MAX_STDERR_BYTES) stderr += chunk.toString("utf8");
    });
    // ffmpeg may stop reading once it has its frame: a broken pipe then is not a failure.
    child.stdin.on("error", () => {});
    child.stdin.end(input);
    child.on("error", (error) => {
      failure ??= signal.aborted ? (signal.reason as Error) : error;
    });
    child.on("close", (code, killedBy) => {
      if (failure) return reject(failure);
      if (signal.aborted) return reject(signal.reason);
      if (killedBy !== null) {
        return reject(
          new FrameDecodeError(`ffmpeg was stopped (${killedBy}) after ${DECODE_TIMEOUT_MS} ms`),
        );
      }
      if (code !== 0 || outBytes === 0) {
        return reject(
          new FrameDecodeError(
            `ffmpeg could not decode the frame: ${stderr.trim() || `exit ${code}`}`,
          ),
        );
      }
      resolve(Buffer.concat(out));
    });
  });
}
