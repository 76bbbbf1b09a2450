/**
 * In-memory channels: one append-only array of records per partition;
 * positions are the 1-based index as a decimal string. Envelopes are stored
 * as JSON text, like every durable backend, so no object is ever shared
 * between sender and receiver. Optional seeded faults (faults.ts).
 *
 * Invariant: a record, once stored, keeps its position forever and is
 * returned by every read that starts before it.
 */
import type { ChannelPosition, ChannelRecord, Channels, Envelope } from "../types.ts";
import type { Clock, TimerHandle } from "../../partitions/clock.ts";
import type { Faults } from "./faults.ts";

interface Waiter {
  resolve: () => void;
  handle?: TimerHandle;
}

export class MemoryChannels implements Channels {
  private readonly logs: string[][];
  private readonly waiters: Waiter[][];
  private closed = false;
  sentEnvelopes = 0;

  constructor(readonly partitionCount: number, private readonly clock: Clock, private readonly faults?: Faults) {
    if (!(Number.isInteger(partitionCount) && partitionCount >= 1)) throw new TypeError(`memory backend: partitions must be an integer >= 1, got ${partitionCount}`);
    this.logs = Array.from({ length: partitionCount }, () => []);
    this.waiters = Array.from({ length: partitionCount }, () => []);
  }

  async send(envelopes: readonly Envelope[]): Promise<void> {
    if (this.closed) throw new Error("memory channels: closed");
    for (const e of envelopes) {
      if (!(Number.isInteger(e.to) && e.to >= 0 && e.to < this.partitionCount)) throw new RangeError(`send: no partition ${e.to}`);
    }
    const f = this.faults;
    if (f && f.rng.chance(f.options.failSendRate ?? 0)) {
      f.counts.failedSends++;
      for (const e of envelopes) if (f.rng.chance(0.5)) this.store(e);
      throw new Error("memory channels: injected send failure (some envelopes may be stored)");
    }
    for (const e of envelopes) {
      this.sentEnvelopes++;
      if (f && e.from.startsWith("p") && f.rng.chance(f.options.dropRate ?? 0)) {
        f.counts.dropped++;
        continue;
      }
      if (f && f.rng.chance(f.options.delayRate ?? 0)) {
        f.counts.delayed++;
        const text = JSON.stringify(e);
        this.clock.setTimeout(() => this.storeText(e.to, text), 1 + f.rng.int(f.options.maxDelayMs ?? 50));
        continue;
      }
      this.store(e);
      if (f && f.rng.chance(f.options.duplicateRate ?? 0)) {
        f.counts.duplicated++;
        this.store(e);
      }
    }
  }

  private store(e: Envelope): void {
    this.storeText(e.to, JSON.stringify(e));
  }

  private storeText(to: number, text: string): void {
    if (this.closed) return;
    this.logs[to].push(text);
    const waiting = this.waiters[to].splice(0);
    for (const w of waiting) {
      this.clock.clearTimeout(w.handle);
      w.resolve();
    }
  }

  async read(partition: number, after: ChannelPosition | undefined, options: { maxRecords: number; waitMs?: number }): Promise<ChannelRecord[]> {
    if (!(partition >= 0 && partition < this.partitionCount)) throw new RangeError(`read: no partition ${partition}`);
    const start = after === undefined ? 0 : Number(after);
    if (!(Number.isInteger(start) && start >= 0)) throw new TypeError(`read: malformed position ${after}`);
    const log = this.logs[partition];
    if (log.length <= start && options.waitMs && options.waitMs > 0 && !this.closed) {
      await new Promise<void>((resolve) => {
        const w: Waiter = { resolve };
        w.handle = this.clock.setTimeout(() => {
          const i = this.waiters[partition].indexOf(w);
          if (i >= 0) this.waiters[partition].splice(i, 1);
          resolve();
        }, options.waitMs!);
        this.waiters[partition].push(w);
      });
    }
    const end = Math.min(log.length, start + Math.max(1, options.maxRecords));
    const out: ChannelRecord[] = [];
    for (let i = start; i < end; i++) out.push({ position: String(i + 1), envelope: JSON.parse(log[i]) });
    return out;
  }

  comparePositions(a: ChannelPosition, b: ChannelPosition): number {
    return Number(a) - Number(b);
  }

  /** Records stored for a partition (tests). */
  length(partition: number): number {
    return this.logs[partition].length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const list of this.waiters) {
      for (const w of list.splice(0)) {
        this.clock.clearTimeout(w.handle);
        w.resolve();
      }
    }
  }
}
