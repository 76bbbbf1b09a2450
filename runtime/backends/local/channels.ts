/**
 * Durable input channels on files: `<dir>/channels/p<N>.log`, one per
 * partition, of framed envelopes (framing.ts). A position is the byte offset
 * just after a record, as a decimal string.
 *
 * Invariants: `send` resolves only after its frames are fsync'd (an accepted
 * `start` is never lost); each partition's batch is one O_APPEND write, so
 * frames of concurrent senders (other processes too) never interleave; a
 * reader treats a short last frame as still being written (waits) and a bad
 * checksum before the end as corruption (throws).
 */
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import type { ChannelPosition, ChannelRecord, Channels, Envelope } from "../types.ts";
import { appendDurable } from "./files.ts";
import { decodeFrames, encodeFrame } from "./framing.ts";

/** How often a waiting read looks for new bytes (another process may be the writer, so no in-process signal suffices). */
const POLL_MS = 10;
/** Upper bound on bytes read per call, so one read never loads a whole large channel. */
const MAX_READ_BYTES = 4 * 1024 * 1024;
/** Upper bound on one grouped write: large enough to group hundreds of concurrent sends, small enough to keep one write call cheap. */
const MAX_GROUP_BYTES = 4 * 1024 * 1024;

interface PendingSend {
  frames: Buffer;
  done: { resolve: () => void; reject: (error: unknown) => void };
}

export class LocalChannels implements Channels {
  private readonly dir: string;
  private closed = false;
  /** Sends queued in this tick, per partition: flushed together with one write and one fsync (group commit). */
  private readonly pending = new Map<number, PendingSend[]>();
  private flushScheduled = false;

  constructor(root: string, readonly partitionCount: number) {
    this.dir = join(root, "channels");
    mkdirSync(this.dir, { recursive: true });
  }

  private file(partition: number): string {
    if (!(Number.isInteger(partition) && partition >= 0 && partition < this.partitionCount)) {
      throw new RangeError(`local channels: no partition ${partition} (there are ${this.partitionCount})`);
    }
    return join(this.dir, `p${partition}.log`);
  }

  async send(envelopes: readonly Envelope[]): Promise<void> {
    if (this.closed) throw new Error("local channels: closed");
    const byPartition = new Map<number, Buffer[]>();
    for (const e of envelopes) {
      this.file(e.to); // validates the partition
      const list = byPartition.get(e.to) ?? [];
      list.push(encodeFrame(e));
      byPartition.set(e.to, list);
    }
    const writes: Promise<void>[] = [];
    for (const [partition, frames] of byPartition) {
      writes.push(new Promise<void>((resolve, reject) => {
        const queue = this.pending.get(partition) ?? [];
        queue.push({ frames: Buffer.concat(frames), done: { resolve, reject } });
        this.pending.set(partition, queue);
      }));
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    await Promise.all(writes);
  }

  /** Writes every queued send: per partition, whole sends concatenated into writes of at most MAX_GROUP_BYTES, each fsync'd before its senders resolve. */
  private flush(): void {
    this.flushScheduled = false;
    const queued = [...this.pending];
    this.pending.clear();
    for (const [partition, sends] of queued) {
      let at = 0;
      while (at < sends.length) {
        const group: PendingSend[] = [];
        let bytes = 0;
        while (at < sends.length && (group.length === 0 || bytes + sends[at]!.frames.length <= MAX_GROUP_BYTES)) {
          bytes += sends[at]!.frames.length;
          group.push(sends[at++]!);
        }
        try {
          appendDurable(this.file(partition), Buffer.concat(group.map((g) => g.frames)));
          for (const g of group) g.done.resolve();
        } catch (error) {
          for (const g of group) g.done.reject(error);
        }
      }
    }
  }

  async read(partition: number, after: ChannelPosition | undefined, options: { maxRecords: number; waitMs?: number }): Promise<ChannelRecord[]> {
    const path = this.file(partition);
    if (!(Number.isInteger(options.maxRecords) && options.maxRecords >= 1)) throw new RangeError(`maxRecords must be a positive integer, got ${options.maxRecords}`);
    const from = after === undefined ? 0 : parsePosition(after);
    const deadline = Date.now() + Math.max(0, options.waitMs ?? 0);
    for (;;) {
      const records = this.readOnce(path, partition, from, options.maxRecords);
      if (records.length > 0 || this.closed || Date.now() >= deadline) return records;
      await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(1, deadline - Date.now()))));
    }
  }

  private readOnce(path: string, partition: number, from: number, maxRecords: number): ChannelRecord[] {
    if (!existsSync(path)) return [];
    const fd = openSync(path, "r");
    try {
      const size = fstatSync(fd).size;
      if (from > size) throw new RangeError(`channel p${partition}: position ${from} is past the end (${size} bytes)`);
      const length = Math.min(size - from, MAX_READ_BYTES);
      if (length === 0) return [];
      const buf = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const n = readSync(fd, buf, got, length - got, from + got);
        if (n === 0) break;
        got += n;
      }
      const decoded = decodeFrames(buf.subarray(0, got));
      if (decoded.stop === "corrupt") {
        throw new Error(`channel p${partition} (${path}) is corrupt at byte ${from + decoded.goodEnd}: O_APPEND frames cannot interleave, so the file was damaged outside nwc`);
      }
      return decoded.frames.slice(0, maxRecords).map((f) => ({ position: String(from + f.end), envelope: f.value as Envelope }));
    } finally {
      closeSync(fd);
    }
  }

  comparePositions(a: ChannelPosition, b: ChannelPosition): number {
    return parsePosition(a) - parsePosition(b);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

function parsePosition(p: ChannelPosition): number {
  const n = Number(p);
  if (!(typeof p === "string" && /^\d+$/.test(p) && Number.isSafeInteger(n))) throw new TypeError(`not a local channel position: ${JSON.stringify(p)}`);
  return n;
}
