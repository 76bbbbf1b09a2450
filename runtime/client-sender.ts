/**
 * How a client sends: one sender id `c:<uuid>` per client, contiguous seqs
 * per receiving partition, sends to one partition serialised so seqs are
 * stored in order, each retried with backoff up to MAX_SEND_ATTEMPTS.
 *
 * Invariant: a gap left by a send that finally failed would hold back every
 * later message of this sender at the receiver forever; so after such a
 * failure the sender takes a fresh id (seqs restart at 1) before sending again.
 */
import type { Channels, Json } from "./backends/types.ts";
import { sleep, type Clock } from "./partitions/clock.ts";

/** Attempts per envelope: ~3 s of backoff in total, enough for a throttled stream, short enough to report a dead one. */
export const MAX_SEND_ATTEMPTS = 8;
const FIRST_BACKOFF_MS = 20;

export class ClientSender {
  private id = newSenderId();
  private readonly nextSeq = new Map<number, number>();
  private readonly tails = new Map<number, Promise<void>>();

  constructor(private readonly channels: Channels, private readonly clock: Clock) {}

  send(to: number, body: Json): Promise<void> {
    const previous = this.tails.get(to) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.sendNow(to, body));
    this.tails.set(to, run.catch(() => undefined));
    return run;
  }

  private async sendNow(to: number, body: Json): Promise<void> {
    const from = this.id;
    const seq = this.nextSeq.get(to) ?? 1;
    this.nextSeq.set(to, seq + 1);
    let delay = FIRST_BACKOFF_MS;
    let lastError: unknown;
    for (let attempt = 1; attempt <= MAX_SEND_ATTEMPTS; attempt++) {
      try {
        await this.channels.send([{ from, to, seq, body }]);
        return;
      } catch (error) {
        lastError = error;
        await sleep(this.clock, delay);
        delay *= 2;
      }
    }
    this.id = newSenderId();
    this.nextSeq.clear();
    throw new Error(`could not send to partition ${to} after ${MAX_SEND_ATTEMPTS} attempts: ${(lastError as Error)?.message ?? lastError}`);
  }
}

function newSenderId(): string {
  return `c:${globalThis.crypto.randomUUID()}`;
}
