/**
 * A small seeded pseudo-random generator (mulberry32) for fault injection:
 * the same seed gives the same sequence of fault decisions on every run.
 */
export class Rng {
  private state: number;

  constructor(readonly seed: number) {
    if (!Number.isFinite(seed)) throw new TypeError(`rng seed must be a finite number, got ${seed}`);
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
}
