/**
 * Sending the outbox: envelopes of a committed batch go out right after its
 * commit; every RESEND_AFTER period, receivers whose oldest unconfirmed
 * message has not moved get their committed unconfirmed messages again; after
 * recovery everything unconfirmed is sent again.
 *
 * Invariant: only entries whose batch is durable (logPosition <=
 * durablePosition) are ever sent; the receiver's dedup makes re-sends harmless.
 */
import type { Channels, Envelope } from "../backends/types.ts";
import type { ObjectTable } from "./objects.ts";
import { entriesOfBatch, outboxKey, unconfirmed, type OutboxRecord } from "./state/outbox.ts";

/** Entries re-sent per receiver per tick: bounds one channel call; the rest follows on the next tick. */
export const MAX_RESEND_PER_TICK = 512;

export class OutboxSender {
  private lastHead = new Map<number, number>();
  /** Sends not yet written: sending does not wait for them, a graceful stop does. */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly partition: number,
    private readonly channels: Channels,
    private readonly log: (level: "warn" | "error", message: string) => void,
  ) {}

  get senderId(): string {
    return `p${this.partition}`;
  }

  /** Committed entries of the given receivers produced at exactly `logPosition`. */
  envelopesOf(objects: ObjectTable, receivers: Iterable<number>, logPosition: number): Envelope[] {
    const out: Envelope[] = [];
    for (const to of receivers) {
      for (const e of entriesOfBatch(objects, to, logPosition)) out.push({ from: this.senderId, to, seq: e.seq, body: e.body });
    }
    return out;
  }

  send(envelopes: Envelope[]): void {
    if (envelopes.length === 0) return;
    const sending = this.channels.send(envelopes).catch((error) => {
      // Not lost: the entries stay in the outbox until acknowledged and the resend tick sends them again.
      this.log("warn", `partition ${this.partition}: send failed (${(error as Error).message}); will re-send`);
    });
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
  }

  /** Resolves once every send made so far has been written (or has failed): a graceful stop waits for it. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Re-sends stalled receivers' committed entries; `all` re-sends everything (after recovery). */
  resend(objects: ObjectTable, durablePosition: number, all: boolean): number {
    const envelopes: Envelope[] = [];
    for (let to = 0; to < this.channels.partitionCount; to++) {
      const outbox = objects.get<OutboxRecord>(outboxKey(to));
      const head = outbox && outbox.acked + 1 < outbox.nextSeq ? outbox.acked + 1 : undefined;
      if (head === undefined) {
        this.lastHead.delete(to);
        continue;
      }
      const stalled = this.lastHead.get(to) === head;
      this.lastHead.set(to, head);
      if (!all && !stalled) continue;
      let n = 0;
      for (const e of unconfirmed(objects, to)) {
        if (e.logPosition > durablePosition || n >= MAX_RESEND_PER_TICK) break;
        envelopes.push({ from: this.senderId, to, seq: e.seq, body: e.body });
        n++;
      }
    }
    this.send(envelopes);
    return envelopes.length;
  }
}
