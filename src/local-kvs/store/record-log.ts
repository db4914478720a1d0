// Self-describing records for the append-only store files, so the index can be rebuilt from
// the files alone and a torn tail (a write cut short by kill -9) is recognised and cut off.
//
// Record: magic "KVSR" | kind u8 | metaLength u32 | payloadLength u32 | metaCrc u32 |
//         payloadCrc u32 | meta (JSON, UTF-8) | payload

import type { FileHandle } from "node:fs/promises";
import { crc32 } from "node:zlib";

const MAGIC = 0x4b565352;
export const RECORD_HEADER_BYTES = 21;
/** Metadata is a small JSON object; anything larger is corruption. */
const MAX_META_BYTES = 1024 * 1024;

export const RecordKind = { Header: 1, Fragment: 2 } as const;

export function encodeRecord(kind: number, meta: unknown, payload: Uint8Array): Buffer {
  return Buffer.concat([encodeRecordHead(kind, meta, payload), payload]);
}

/**
 * A record's bytes before its payload (header and meta), for writing the two with one writev
 * instead of copying a payload of up to 50 MB into one buffer.
 */
export function encodeRecordHead(kind: number, meta: unknown, payload: Uint8Array): Buffer {
  const metaBytes = Buffer.from(JSON.stringify(meta), "utf8");
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + metaBytes.length);
  out.writeUInt32BE(MAGIC, 0);
  out.writeUInt8(kind, 4);
  out.writeUInt32BE(metaBytes.length, 5);
  out.writeUInt32BE(payload.length, 9);
  out.writeUInt32BE(crc32(metaBytes), 13);
  out.writeUInt32BE(crc32(payload), 17);
  metaBytes.copy(out, RECORD_HEADER_BYTES);
  return out;
}

export interface ScannedRecord {
  kind: number;
  /** File offset where the record starts. */
  recordOffset: number;
  meta: unknown;
  /** File offset of the payload. */
  payloadOffset: number;
  payloadLength: number;
}

async function readExactly(
  file: FileHandle,
  position: number,
  length: number,
): Promise<Buffer | null> {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await file.read(buf, done, length - done, position + done);
    if (bytesRead === 0) return null;
    done += bytesRead;
  }
  return buf;
}

async function payloadCrcMatches(
  file: FileHandle,
  offset: number,
  length: number,
  expected: number,
): Promise<boolean> {
  let crc = 0;
  const chunkSize = 1024 * 1024;
  for (let at = 0; at < length; at += chunkSize) {
    const chunk = await readExactly(file, offset + at, Math.min(chunkSize, length - at));
    if (!chunk) return false;
    crc = crc32(chunk, crc);
  }
  return crc === expected;
}

/**
 * Reads every intact record of `file` without loading payloads, and returns the offset where
 * intact data ends (the caller truncates there). Metadata checksums are verified for every
 * record; the payload checksum for the last one, the only one a crash can tear.
 */
export async function scanRecords(
  file: FileHandle,
): Promise<{ records: ScannedRecord[]; validEnd: number }> {
  const { size } = await file.stat();
  const records: ScannedRecord[] = [];
  let at = 0;
  let lastPayloadCrc = 0;
  while (at + RECORD_HEADER_BYTES <= size) {
    const head = await readExactly(file, at, RECORD_HEADER_BYTES);
    if (!head || head.readUInt32BE(0) !== MAGIC) break;
    const kind = head.readUInt8(4);
    const metaLength = head.readUInt32BE(5);
    const payloadLength = head.readUInt32BE(9);
    const end = at + RECORD_HEADER_BYTES + metaLength + payloadLength;
    if (metaLength > MAX_META_BYTES || end > size) break;
    const metaBytes = await readExactly(file, at + RECORD_HEADER_BYTES, metaLength);
    if (!metaBytes || crc32(metaBytes) !== head.readUInt32BE(13)) break;
    let meta: unknown;
    try {
      meta = JSON.parse(metaBytes.toString("utf8"));
    } catch {
      break;
    }
    records.push({
      kind,
      recordOffset: at,
      meta,
      payloadOffset: at + RECORD_HEADER_BYTES + metaLength,
      payloadLength,
    });
    lastPayloadCrc = head.readUInt32BE(17);
    at = end;
  }
  const last = records.at(-1);
  if (
    last &&
    !(await payloadCrcMatches(file, last.payloadOffset, last.payloadLength, lastPayloadCrc))
  ) {
    records.pop();
    at = last.recordOffset;
  }
  return { records, validEnd: at };
}

/** Reads `length` bytes at `offset`; throws if the file is shorter. */
export async function readPayload(
  file: FileHandle,
  offset: number,
  length: number,
): Promise<Uint8Array> {
  const buf = await readExactly(file, offset, length);
  if (!buf) throw new Error(`store file ends before byte ${offset + length}`);
  return buf;
}
