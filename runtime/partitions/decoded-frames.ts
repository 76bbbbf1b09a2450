/**
 * Decoded frames kept between steps, beside the encoded ones in the
 * instance records: a machine that allows it (`Machine.reusesFrames`) is
 * given the frame object its previous step returned instead of a decoded
 * copy of the stored frame, which saves a decode (and its garbage) per step.
 *
 * Kept only while it is exactly what decoding would give (the codec says so
 * when it encodes: runtime/codec.ts, encodeFrameChecked) and only for an
 * instance that did not just ask to wait for an event or a timer: those may
 * wait for days, and an idle instance then costs its encoded frame alone.
 *
 * Invariant: a kept frame is used only while the instance's stored frame is
 * the very object it was encoded into (`take` compares identity), so a frame
 * replaced in any other way (recovery, a reload after eviction, a new
 * execution) is decoded again; a frame is taken before its step runs, so a
 * step that throws half-way leaves nothing behind.
 */
import type { Json } from "../backends/types.ts";

interface Kept {
  json: Json;
  frame: unknown;
}

export class DecodedFrames {
  private readonly byKey = new Map<string, Kept>();

  /** The decoded frame kept for `key` if it was encoded into `json`; forgotten either way (the step mutates it). */
  take(key: string, json: Json): unknown | undefined {
    const kept = this.byKey.get(key);
    if (kept === undefined) return undefined;
    this.byKey.delete(key);
    return kept.json === json ? kept.frame : undefined;
  }

  keep(key: string, json: Json, frame: unknown): void {
    this.byKey.set(key, { json, frame });
  }

  drop(key: string): void {
    this.byKey.delete(key);
  }

  get size(): number {
    return this.byKey.size;
  }
}
