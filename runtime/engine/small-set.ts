/**
 * A set for the collector's per-step tables (run.ts): a frame usually holds
 * a handful of live tasks, scopes and objects, and a Set allocated a new
 * table at every clear(), once per table per step. Up to SMALL items are kept
 * in an array searched linearly; past that, in a Set.
 *
 * Invariant: `add` is only called with an item `has` just said is absent.
 */
const SMALL = 16;

export class SmallSet<T> {
  private readonly items: (T | undefined)[] = [];
  private count = 0;
  private big: Set<T> | undefined;

  has(item: T): boolean {
    if (this.big !== undefined) return this.big.has(item);
    const items = this.items;
    for (let i = 0; i < this.count; i++) if (items[i] === item) return true;
    return false;
  }

  add(item: T): void {
    if (this.big !== undefined) this.big.add(item);
    else if (this.count < SMALL) this.items[this.count++] = item;
    else {
      this.big = new Set(this.items.slice(0, this.count) as T[]);
      this.big.add(item);
    }
  }

  /** Empties the set, keeping the array (its items released, so the set holds on to nothing of a frame). */
  clear(): void {
    for (let i = 0; i < this.count; i++) this.items[i] = undefined;
    this.count = 0;
    this.big = undefined;
  }
}
