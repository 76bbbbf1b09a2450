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
  const payload = Buffer.from(JSON.stringify(value), "utf8");
  if (payload.length > MAX_FRAME_PAYLOAD_BYTES) throw new RangeError(`record of ${payload.length} bytes exceeds the ${MAX_FRAME_PAYLOAD_BYTES}-byte frame limit`);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  payload.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

export interface DecodedFrame {
  value: unknown;
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
    let value: unknown;
    try {
      value = JSON.parse(buf.toString("utf8", at + FRAME_HEADER_BYTES, end));
    } catch {
      return { frames, goodEnd: at, stop: "corrupt" };
    }
    frames.push({ value, start: at, end });
    at = end;
  }
  return { frames, goodEnd: at, stop: "end" };
}
