/**
 * Deterministic randomness for `ctx.random()`/`ctx.uuid()`: sfc32, whose whole
 * state is four 32-bit integers kept in the frame, seeded from the instance id.
 * Invariant: same instance id and same call sequence, same numbers.
 */
import { contentHash } from "./hash.ts";

export function seedFrom(instanceId: string): number[] {
  const h = contentHash(instanceId) + contentHash("nwc" + instanceId);
  return [0, 8, 16, 24].map((i) => parseInt(h.slice(i, i + 8), 16) >>> 0);
}

/** Advances `s` in place and returns a number in [0, 1). */
export function nextRandom(s: number[]): number {
  let [a, b, c, d] = s;
  const t = (((a + b) | 0) + d) | 0;
  d = (d + 1) | 0;
  a = b ^ (b >>> 9);
  b = (c + (c << 3)) | 0;
  c = (c << 21) | (c >>> 11);
  c = (c + t) | 0;
  s[0] = a >>> 0; s[1] = b >>> 0; s[2] = c >>> 0; s[3] = d >>> 0;
  return (t >>> 0) / 4294967296;
}

export function uuidFrom(random: () => number): string {
  const hex: string[] = [];
  for (let i = 0; i < 32; i++) hex.push(Math.floor(random() * 16).toString(16));
  hex[12] = "4";
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const h = hex.join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
