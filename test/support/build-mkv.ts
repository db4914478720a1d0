// Builds small synthetic GetMedia documents with the writers in ebml.ts.
import {
  concatBytes,
  element,
  encodeId,
  encodeSize,
  ID,
  stringElement,
  UNKNOWN_SIZE_8,
  uintElement,
} from "../../src/mkv/ebml/primitives.ts";

const text = new TextEncoder();

export interface BlockSpec {
  track?: number;
  rel: number;
  key?: boolean;
  payload?: number;
}

export interface DocumentSpec {
  pre?: [string, string][];
  clusterTimecode?: number;
  blocks?: BlockSpec[];
  post?: [string, string][];
  /** Size-field width for every element whose size fits in it (1-8); smallest width otherwise. */
  sizeWidth?: number;
  unknownSizeCluster?: boolean;
  /** Declare a second track, A_AAC (blocks choose their track with BlockSpec.track). */
  audioTrack?: boolean;
}

export function documentBytes(spec: DocumentSpec): Uint8Array {
  const w = spec.sizeWidth;
  const el = (id: number, payload: Uint8Array | Uint8Array[]) => {
    const body = payload instanceof Uint8Array ? payload : concatBytes(payload);
    const fits = w !== undefined && body.length <= 2 ** (7 * w) - 2;
    return element(id, body, fits ? w : undefined);
  };
  const tags = (pairs: [string, string][]) =>
    el(ID.Tags, [
      el(
        ID.Tag,
        pairs.map(([n, v]) =>
          el(ID.SimpleTag, [el(ID.TagName, text.encode(n)), el(ID.TagString, text.encode(v))]),
        ),
      ),
    ]);
  const parts: Uint8Array[] = [
    el(ID.EBML, [stringElement(ID.DocType, "matroska")]),
    encodeId(ID.Segment),
    UNKNOWN_SIZE_8,
    el(ID.Info, [uintElement(ID.TimecodeScale, 1_000_000)]),
    el(ID.Tracks, [
      el(ID.TrackEntry, [
        uintElement(ID.TrackNumber, 1),
        uintElement(ID.TrackType, 1),
        stringElement(ID.CodecID, "V_MPEG4/ISO/AVC"),
        el(ID.CodecPrivate, new Uint8Array(20)),
      ]),
      ...(spec.audioTrack
        ? [
            el(ID.TrackEntry, [
              uintElement(ID.TrackNumber, 2),
              uintElement(ID.TrackType, 2),
              stringElement(ID.CodecID, "A_AAC"),
              el(ID.CodecPrivate, new Uint8Array(2)),
            ]),
          ]
        : []),
    ]),
  ];
  if (spec.pre) parts.push(tags(spec.pre));
  if (spec.blocks) {
    const blocks = spec.blocks.map((b) => {
      const header = new Uint8Array(3);
      new DataView(header.buffer).setInt16(0, b.rel);
      header[2] = b.key ? 0x80 : 0;
      const track = encodeSize(b.track ?? 1);
      return el(ID.SimpleBlock, [track, header, new Uint8Array(b.payload ?? 100).fill(0xa3)]);
    });
    const body = concatBytes([uintElement(ID.Timecode, spec.clusterTimecode ?? 0), ...blocks]);
    parts.push(
      spec.unknownSizeCluster
        ? concatBytes([encodeId(ID.Cluster), UNKNOWN_SIZE_8, body])
        : el(ID.Cluster, body),
    );
  }
  if (spec.post) parts.push(tags(spec.post));
  return concatBytes(parts);
}

export const FN = "AWS_KINESISVIDEO_FRAGMENT_NUMBER";
export const ST = "AWS_KINESISVIDEO_SERVER_TIMESTAMP";
export const PT = "AWS_KINESISVIDEO_PRODUCER_TIMESTAMP";
export const MBN = "AWS_KINESISVIDEO_MILLIS_BEHIND_NOW";
export const CT = "AWS_KINESISVIDEO_CONTINUATION_TOKEN";
export const EC = "AWS_KINESISVIDEO_ERROR_CODE";
export const EI = "AWS_KINESISVIDEO_ERROR_ID";

/** A complete synthetic fragment: 30 blocks at 33 ms, one keyframe. */
export function fragmentDocument(
  n: string,
  serverTs: string,
  options: Partial<DocumentSpec> = {},
): Uint8Array {
  return documentBytes({
    pre: [
      [FN, n],
      [ST, serverTs],
      [PT, serverTs],
    ],
    blocks: Array.from({ length: 30 }, (_, i) => ({ rel: i * 33, key: i === 0 })),
    post: [
      [MBN, "100"],
      [CT, n],
    ],
    ...options,
  });
}
