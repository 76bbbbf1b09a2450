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
 * Invariant: a kept frame is used only for the same instance record (a
 * recovery or a reload after eviction makes a new one) while its stored frame
 * is the text the kept frame was encoded into (`take` compares with `===`,
 * by content for a string: an equal text decodes to an equal frame, which
 * the kept one is, as nothing changes it between `keep` and `take`); any
 * other frame is decoded again. A frame is taken before its step runs, so a
 * step that throws half-way leaves nothing behind.
 */
import type { Json } from "../backends/types.ts";

interface Kept {
  json: Json | null;
  frame: unknown;
}

/**
 * Keyed by the instance record object (hashed by identity, where a key built
 * as "inst:" + id would be a new string to hash on every lookup); an entry is
 * emptied by `take` and filled again by `keep`, not deleted and re-added, so
 * a step allocates nothing here.
 */
export class DecodedFrames {
  private readonly byInstance = new Map<object, Kept>();

  /** The decoded frame kept for `instance` if it was encoded into `json`; forgotten either way (the step mutates it). */
  take(instance: object, json: Json): unknown | undefined {
    const kept = this.byInstance.get(instance);
    if (kept === undefined) return undefined;
    const frame = kept.json === json ? kept.frame : undefined;
    kept.json = null;
    kept.frame = undefined;
    return frame;
  }

  keep(instance: object, json: Json, frame: unknown): void {
    const kept = this.byInstance.get(instance);
    if (kept === undefined) this.byInstance.set(instance, { json, frame });
    else {
      kept.json = json;
      kept.frame = frame;
    }
  }

  drop(instance: unknown): void {
    if (typeof instance === "object" && instance !== null) this.byInstance.delete(instance);
  }

  /** Frames kept now (for statistics and tests: walks the table). */
  get size(): number {
    let n = 0;
    for (const kept of this.byInstance.values()) if (kept.json !== null) n++;
    return n;
  }
}
