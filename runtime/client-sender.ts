/**
 * How a client sends: one sender id `c:<uuid>` per client, contiguous seqs
 * per receiving partition, each message retried with backoff up to
 * MAX_SEND_ATTEMPTS.
 *
 * Sends to one partition are queued and go out in groups: whatever was asked
 * while the previous group was in flight (or in the same tick) becomes the
 * next `channels.send` call, with consecutive seqs. So 10,000 `start`s issued
 * at once cost a few dozen channel calls (on `local`, a few dozen fsyncs)
 * instead of 10,000 serialised ones, and per-partition order is still the
 * order of the calls: a group is sent only after the previous one was stored.
 *
 * Invariant: a gap left by a send that finally failed would hold back every
 * later message of this sender at the receiver forever; so after such a
 * failure the sender takes a fresh id (seqs restart at 1) before sending again.
 */
import type { Channels, Envelope, Json } from "./backends/types.ts";
import { sleep, type Clock } from "./partitions/clock.ts";

/** Attempts per group: ~3 s of backoff in total, enough for a throttled stream, short enough to report a dead one. */
export const MAX_SEND_ATTEMPTS = 8;
const FIRST_BACKOFF_MS = 20;
/**
 * Messages per channel call: large enough that a burst of starts costs few
 * calls, small enough that one failed call re-sends little and one group
 * stays well under a backend's request limits (Kinesis PutRecords: 500
 * records, which the aws channel splits to anyway).
 */
export const MAX_SEND_GROUP = 256;

interface QueuedSend {
  body: Json;
  resolve(): void;
  reject(error: unknown): void;
}

export class ClientSender {
  private id = newSenderId();
  private readonly nextSeq = new Map<number, number>();
  /** Per partition: messages waiting for the group in flight to be stored. */
  private readonly queues = new Map<number, QueuedSend[]>();
  /** Partitions with a group in flight (or about to be sent this tick). */
  private readonly sending = new Set<number>();

  constructor(private readonly channels: Channels, private readonly clock: Clock) {}

  /** Resolves once the message is stored in the partition's channel; rejects after MAX_SEND_ATTEMPTS failed tries. */
  send(to: number, body: Json): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let queue = this.queues.get(to);
      if (!queue) this.queues.set(to, (queue = []));
      queue.push({ body, resolve, reject });
      if (!this.sending.has(to)) {
        this.sending.add(to);
        // A microtask later, so sends asked in this tick (a Promise.all of starts) form one group.
        queueMicrotask(() => void this.drain(to));
      }
    });
  }

  /** Sends the partition's queue group by group until it is empty. */
  private async drain(to: number): Promise<void> {
    const queue = this.queues.get(to)!;
    while (queue.length > 0) {
      const group = queue.splice(0, MAX_SEND_GROUP);
      try {
        await this.sendGroup(to, group.map((g) => g.body));
        for (const g of group) g.resolve();
      } catch (error) {
        for (const g of group) g.reject(error);
      }
    }
    this.sending.delete(to);
  }

  private async sendGroup(to: number, bodies: Json[]): Promise<void> {
    const from = this.id;
    const first = this.nextSeq.get(to) ?? 1;
    this.nextSeq.set(to, first + bodies.length);
    const envelopes: Envelope[] = bodies.map((body, i) => ({ from, to, seq: first + i, body }));
    let delay = FIRST_BACKOFF_MS;
    let lastError: unknown;
    for (let attempt = 1; attempt <= MAX_SEND_ATTEMPTS; attempt++) {
      try {
        await this.channels.send(envelopes);
        return;
      } catch (error) {
        lastError = error;
        await sleep(this.clock, delay);
        delay *= 2;
      }
    }
    if (this.id === from) {
      this.id = newSenderId();
      this.nextSeq.clear();
    }
    throw new Error(`could not send to partition ${to} after ${MAX_SEND_ATTEMPTS} attempts: ${(lastError as Error)?.message ?? lastError}`);
  }
}

function newSenderId(): string {
  return `c:${globalThis.crypto.randomUUID()}`;
}
