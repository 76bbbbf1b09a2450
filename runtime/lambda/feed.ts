/**
 * The channel a partition reads inside a Lambda invocation: the records of the
 * event source mapping's batch, handed to the partition core's read loop in
 * order, while sends still go to Kinesis. It also counts sends in flight, so
 * the handler can return only once the outbox's messages left.
 *
 * Invariant: a record is handed out only after positions already handed out
 * (a redelivered batch re-offers records the partition consumed: they are
 * skipped here, and the core's dedup drops any that slip through).
 */
import type { ChannelPosition, ChannelRecord, Channels, Envelope } from "../backends/types.ts";

export class EventFeed implements Channels {
  readonly partitionCount: number;
  private readonly queue: ChannelRecord[] = [];
  /** Highest position pushed into the queue (and so, eventually, handed out). */
  private lastQueued: ChannelPosition | undefined;
  private waiter: (() => void) | undefined;
  private sendsInFlight = 0;
  private closed = false;

  constructor(private readonly channels: Channels, readonly partition: number) {
    this.partitionCount = channels.partitionCount;
  }

  /** Offers the records of one invocation; those at or before what was already queued are skipped. */
  push(records: readonly ChannelRecord[]): number {
    let added = 0;
    for (const r of records) {
      if (r.envelope.to !== this.partition) throw new Error(`nwc lambda: record ${r.position} is addressed to partition ${r.envelope.to}, not ${this.partition}`);
      if (this.lastQueued !== undefined && this.comparePositions(r.position, this.lastQueued) <= 0) continue;
      this.queue.push(r);
      this.lastQueued = r.position;
      added++;
    }
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
    return added;
  }

  /** True when every pushed record has been handed to the partition. */
  get drained(): boolean {
    return this.queue.length === 0;
  }

  get pendingSends(): number {
    return this.sendsInFlight;
  }

  async send(envelopes: readonly Envelope[]): Promise<void> {
    this.sendsInFlight++;
    try {
      await this.channels.send(envelopes);
    } finally {
      this.sendsInFlight--;
    }
  }

  async read(partition: number, after: ChannelPosition | undefined, options: { maxRecords: number; waitMs?: number }): Promise<ChannelRecord[]> {
    if (partition !== this.partition) throw new Error(`nwc lambda: this invocation feeds partition ${this.partition}, not ${partition}`);
    if (after !== undefined) {
      // The partition resumed after `after` (recovery): drop what it already consumed.
      while (this.queue.length > 0 && this.comparePositions(this.queue[0].position, after) <= 0) this.queue.shift();
    }
    if (this.queue.length === 0 && !this.closed && (options.waitMs ?? 0) > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.waiter = undefined;
          resolve();
        }, options.waitMs);
        timer.unref?.();
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.queue.splice(0, options.maxRecords);
  }

  comparePositions(a: ChannelPosition, b: ChannelPosition): number {
    return this.channels.comparePositions(a, b);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.waiter?.();
  }
}
