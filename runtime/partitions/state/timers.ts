/**
 * TimersState: one object per pending durable timer, key
 * `tmr:<execution>:<taskId>:<instanceId>`, and an in-memory min-heap by due
 * time rebuilt on recovery from those objects.
 *
 * Invariant: a timer fires at most once per partition incarnation and only
 * while its object exists; firing deletes the object in the same batch that
 * delivers the wake.
 */
import type { TaskId } from "../../machine.ts";

export const TIMER_PREFIX = "tmr:";
export const timerKey = (instanceId: string, execution: number, taskId: TaskId): string =>
  `${TIMER_PREFIX}${execution}:${taskId}:${instanceId}`;

export interface TimerRecord {
  instanceId: string;
  execution: number;
  taskId: TaskId;
  fireAtMs: number;
}

/** Binary min-heap of (dueMs, key). Stale entries (object gone) are skipped by the caller. */
export class DueHeap {
  private items: { dueMs: number; key: string }[] = [];

  get size(): number {
    return this.items.length;
  }

  push(dueMs: number, key: string): void {
    const a = this.items;
    a.push({ dueMs, key });
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p].dueMs <= a[i].dueMs) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }

  peekDueMs(): number | undefined {
    return this.items[0]?.dueMs;
  }

  /** Removes and returns every key due at or before `nowMs`, earliest first. */
  popDue(nowMs: number): string[] {
    const out: string[] = [];
    while (this.items.length > 0 && this.items[0].dueMs <= nowMs) out.push(this.pop()!.key);
    return out;
  }

  private pop(): { dueMs: number; key: string } | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < a.length && a[l].dueMs < a[m].dueMs) m = l;
        if (r < a.length && a[r].dueMs < a[m].dueMs) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}
