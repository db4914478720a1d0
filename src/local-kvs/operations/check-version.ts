import { KvsServiceError } from "../errors.ts";
import type { StreamRecord } from "../store/types.ts";

/**
 * VersionMismatchException unless `currentVersion` (the request's CurrentVersion) is the
 * stream's version; an absent one (DeleteStream makes it optional) passes.
 */
export function checkCurrentVersion(
  stream: StreamRecord,
  currentVersion: string | undefined,
): void {
  if (currentVersion === undefined || currentVersion === stream.version) return;
  throw new KvsServiceError(
    "VersionMismatchException",
    `The stream version ${currentVersion} does not match the current version ${stream.version}.`,
  );
}
