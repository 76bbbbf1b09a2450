/**
 * Record framing for every log file of the local backend (commit segments and
 * channel files): `[u32 LE payload length][u32 LE crc32(payload)][payload: UTF-8 JSON]`.
 *
 * Invariant: `decodeFrames` returns only records whose length and checksum are
 * intact, in file order, and stops at the first frame that is not: it never
 * returns a record that follows a bad one. It says why it stopped, so a
 * writer's recovery can cut the tail and a reader can wait for a frame that is
 * still being written.
 */
import { crc32 } from "./crc32.ts";

export const FRAME_HEADER_BYTES = 8;
/** Bigger than any sane commit or channel batch; a larger length field means a corrupt header, not a record. */
export const MAX_FRAME_PAYLOAD_BYTES = 64 * 1024 * 1024;

export function encodeFrame(value: unknown): Buffer {
  return encodeFrameText(JSON.stringify(value));
}

/**
 * The frame of a record already turned into JSON text: a caller that keeps
 * the text (the commit log) stringifies once. The text is encoded straight
 * into the frame, with no intermediate payload buffer.
 */
export function encodeFrameText(json: string): Buffer {
  if (typeof json !== "string") throw new TypeError(`encodeFrameText: expected JSON text, got ${typeof json}`);
  const length = Buffer.byteLength(json, "utf8");
  if (length > MAX_FRAME_PAYLOAD_BYTES) throw new RangeError(`record of ${length} bytes exceeds the ${MAX_FRAME_PAYLOAD_BYTES}-byte frame limit`);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
  const written = frame.write(json, FRAME_HEADER_BYTES, "utf8");
  if (written !== length) throw new Error(`encodeFrameText: wrote ${written} of ${length} payload bytes`);
  frame.writeUInt32LE(length, 0);
  frame.writeUInt32LE(crc32(frame, FRAME_HEADER_BYTES), 4);
  return frame;
}

export interface DecodedFrame {
  value: unknown;
  /** The payload's JSON text (`value` is its parse): a caller may keep it instead of re-stringifying. */
  text: string;
  /** Offset of the frame's first byte within the buffer. */
  start: number;
  /** Offset just after the frame. */
  end: number;
}

export interface DecodeResult {
  frames: DecodedFrame[];
  /** Offset just after the last good frame: where a recovery cuts. */
  goodEnd: number;
  /** Why decoding stopped before the end of the buffer. */
  stop: "end" | "partial" | "corrupt";
}

export function decodeFrames(buf: Buffer, start = 0): DecodeResult {
  const frames: DecodedFrame[] = [];
  let at = start;
  while (at < buf.length) {
    if (buf.length - at < FRAME_HEADER_BYTES) return { frames, goodEnd: at, stop: "partial" };
    const length = buf.readUInt32LE(at);
    if (length > MAX_FRAME_PAYLOAD_BYTES) return { frames, goodEnd: at, stop: "corrupt" };
    const end = at + FRAME_HEADER_BYTES + length;
    if (end > buf.length) return { frames, goodEnd: at, stop: "partial" };
    if (crc32(buf, at + FRAME_HEADER_BYTES, end) !== buf.readUInt32LE(at + 4)) return { frames, goodEnd: at, stop: "corrupt" };
    const text = buf.toString("utf8", at + FRAME_HEADER_BYTES, end);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return { frames, goodEnd: at, stop: "corrupt" };
    }
    frames.push({ value, text, start: at, end });
    at = end;
  }
  return { frames, goodEnd: at, stop: "end" };
}

/** ASCII "{": every record's JSON starts with it, which rules out almost every false frame start at once. */
const OPEN_BRACE = 0x7b;

/**
 * The offset of the first intact frame at or after `from` (length in bounds,
 * payload starting with "{", checksum and JSON good), or -1. Inside an intact
 * JSON payload no false start can match: a length field of at most 64 MiB has
 * a top byte 0-4, which JSON text never contains.
 */
export function findNextFrame(buf: Buffer, from: number): number {
  for (let at = from; at + FRAME_HEADER_BYTES < buf.length; at++) {
    if (buf[at + FRAME_HEADER_BYTES] !== OPEN_BRACE) continue;
    const length = buf.readUInt32LE(at);
    const end = at + FRAME_HEADER_BYTES + length;
    if (length > MAX_FRAME_PAYLOAD_BYTES || end > buf.length) continue;
    if (crc32(buf, at + FRAME_HEADER_BYTES, end) !== buf.readUInt32LE(at + 4)) continue;
    if (decodeFrames(buf.subarray(at, end)).frames.length === 1) return at;
  }
  return -1;
}

/**
 * Whether the bad frame at `at`, followed by an intact one at `next`, is a
 * torn write (a writer killed mid-write, then another writer appended): its
 * header claims more bytes than lie before `next`, and the bytes there do not
 * carry its checksum. A complete frame with a flipped bit, a zeroed stretch or
 * a damaged length that still checksums is not torn.
 */
export function isTornFrame(buf: Buffer, at: number, next: number): boolean {
  if (next - at < FRAME_HEADER_BYTES) return true; // not even a whole header
  const claimedEnd = at + FRAME_HEADER_BYTES + buf.readUInt32LE(at);
  if (claimedEnd <= next) return false;
  return crc32(buf, at + FRAME_HEADER_BYTES, next) !== buf.readUInt32LE(at + 4);
}
