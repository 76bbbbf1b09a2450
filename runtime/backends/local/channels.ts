/**
 * Durable input channels on files. A partition's channel is a sequence of
 * segment files `<dir>/channels/p<N>/<segment>.log` (segment numbers 0, 1,
 * 2, ... zero-padded to 12 digits) of framed envelopes (framing.ts). A
 * position is `<segment>:<byte offset just after the record>`; positions
 * order by segment, then offset. (A bare decimal, the format of the
 * single-file channels before segments, reads as segment 0.)
 *
 * The highest-numbered segment is the head: senders append to it. A segment
 * is **sealed** once the next one exists; nothing written to a sealed segment
 * after it was sealed counts. Protocol (see docs/local-backend.md):
 *
 * - writer: append to the head (one O_APPEND write, fsync), *then* look for
 *   the next segment; if it exists, the write may have landed after the seal,
 *   so write the same bytes again to the new head (a duplicate at worst:
 *   receivers de-duplicate by (from, seq)). A writer that finds the head past
 *   `segmentBytes` seals it (creates the next segment, fsyncs the directory).
 * - reader: look for the next segment *before* reading a segment to its end;
 *   only if it existed does the reader move on. Every write that completed
 *   before the seal is then fully visible; every later one is re-sent by its
 *   writer. So no acknowledged record is skipped.
 * - a short frame in the head is waited for while it may still be a write in
 *   progress (`tornAfterMs`); a torn one (a writer killed mid-write: its header
 *   claims more bytes than lie before the next intact frame, and those bytes do
 *   not carry its checksum) is then sealed off and skipped, resynchronising on
 *   the next frame whose length, checksum and JSON hold, so records other
 *   writers appended after it are still delivered. Any other bad frame is
 *   damage to a record a send was told is durable: StoreCorrupted, nothing
 *   changed. A missing segment that a reader still needs is damage too.
 * - trimming (`trimConsumed`, called by the store after a checkpoint is
 *   durable) deletes every segment below the one holding the checkpoint's
 *   consumed input position: each of their records is applied and
 *   checkpointed, and the partition core never reads below that position.
 *
 * Invariants: `send` resolves only after its frames are fsync'd in a segment
 * that was not sealed before the write (an accepted `start` is never lost);
 * each partition's group is one O_APPEND write, so frames of concurrent
 * senders (other processes too) never interleave; positions only grow.
 */
import { closeSync, constants, existsSync, fstatSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, readSync, statSync, unlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ChannelPosition, ChannelRecord, Channels, Envelope } from "../types.ts";
import { StoreCorrupted } from "../errors.ts";
import { appendDurableAsync, fsyncDir, syncFileAsync } from "./files.ts";
import { decodeFrames, encodeFrame, findNextFrame, FRAME_HEADER_BYTES, isTornFrame, MAX_FRAME_PAYLOAD_BYTES } from "./framing.ts";
import { storeRecovery } from "./load.ts";

/** How often a waiting read looks for new bytes written by another process (sends of this process wake it at once). */
const POLL_MS = 10;
/** Upper bound on bytes read per call, so one read never loads a whole large segment. */
const MAX_READ_BYTES = 4 * 1024 * 1024;
/** Upper bound on one grouped write: large enough to group hundreds of concurrent sends, small enough to keep one write call cheap. */
const MAX_GROUP_BYTES = 4 * 1024 * 1024;
/** A head segment is sealed once it reaches this size; trimming deletes whole segments, so this is the granularity of reclaimed space. */
export const CHANNEL_SEGMENT_BYTES = 4 * 1024 * 1024;
/**
 * A short frame at the end of the head is a write in progress for at most
 * this long (copying 4 MiB into the page cache takes milliseconds); after it,
 * the frame is torn (its writer was killed mid-write) and the segment is sealed.
 */
export const TORN_AFTER_MS = 1000;
/** Re-appends after finding the head sealed under a write: each one needs a new seal meanwhile, so more means something is broken. */
const MAX_APPEND_ATTEMPTS = 16;
/** Segments below the latest one whose durable end durable() remembers, per partition. */
const SYNCED_SEGMENTS_KEPT = 2;
/** Skipped-damage reports kept (the latest), for tests and diagnosis. */
const MAX_DAMAGE_REPORTS = 64;

const SEGMENT_FILE = /^(\d{12})\.log$/;
const pad = (n: number) => String(n).padStart(12, "0");

/** Test hook: runs just before a writer appends to the head it chose (another process may seal it right then). */
export const channelFaults: { beforeAppend?: (partition: number, segment: number) => void } = {};

interface PendingSend {
  frames: Buffer;
  done: { resolve: () => void; reject: (error: unknown) => void };
}

interface Position {
  segment: number;
  offset: number;
}

export interface LocalChannelsOptions {
  /** Seal the head past this many bytes (default CHANNEL_SEGMENT_BYTES). */
  segmentBytes?: number;
  /** How long a short last frame may be a write in progress (default TORN_AFTER_MS). */
  tornAfterMs?: number;
}

/** Bytes a reader skipped in a sealed segment: a torn write, a late write re-sent elsewhere, or damage. */
export interface ChannelDamage {
  partition: number;
  segment: number;
  offset: number;
  bytes: number;
}

export class LocalChannels implements Channels {
  private readonly dir: string;
  private readonly segmentBytes: number;
  private readonly tornAfterMs: number;
  private closed = false;
  /** Sends not yet written, per partition; whatever queues while a write + fsync is in flight goes out in the next one (group commit). */
  private readonly pending = new Map<number, PendingSend[]>();
  /** Partitions whose writer loop is running (at most one per partition in this process). */
  private readonly writing = new Set<number>();
  /** Last known head segment per partition (a cache: the directory is the truth). */
  private readonly heads: number[];
  /** Highest segment whose directory entry this process made durable (a directory fsync covers every older entry too). */
  private readonly durableSegment: number[];
  /** Per partition, per segment (the last few): every byte below the offset is durable (an fsync of this process covered it). */
  private readonly synced: Map<number, number>[];
  /** Per partition: this process's append whose fsync is in flight; its bytes are readable already, durable once `done` resolves. */
  private readonly syncing: ({ end: Position; done: Promise<unknown> } | undefined)[];
  /** Reads of this process waiting for records, woken by this process's sends. */
  private readonly waiters = new Map<number, Set<() => void>>();
  /** Per partition: a bad frame in the head, since when it has been seen. */
  private readonly stuck = new Map<number, { segment: number; offset: number; sinceMs: number }>();
  /** Skipped bytes in sealed segments (latest MAX_DAMAGE_REPORTS). */
  readonly damage: ChannelDamage[] = [];

  constructor(root: string, readonly partitionCount: number, options: LocalChannelsOptions = {}) {
    this.dir = join(root, "channels");
    this.segmentBytes = options.segmentBytes ?? CHANNEL_SEGMENT_BYTES;
    this.tornAfterMs = options.tornAfterMs ?? TORN_AFTER_MS;
    if (!(Number.isInteger(this.segmentBytes) && this.segmentBytes >= 1)) throw new RangeError(`segmentBytes must be a positive integer, got ${this.segmentBytes}`);
    if (!(this.tornAfterMs >= 0)) throw new RangeError(`tornAfterMs must be >= 0, got ${this.tornAfterMs}`);
    this.heads = new Array(partitionCount).fill(-1);
    this.durableSegment = new Array(partitionCount).fill(-1);
    this.synced = Array.from({ length: partitionCount }, () => new Map<number, number>());
    this.syncing = new Array(partitionCount).fill(undefined);
    mkdirSync(this.dir, { recursive: true });
    for (let p = 0; p < partitionCount; p++) this.open(p);
  }

  /** Creates the partition's directory and its first segment (taking over a pre-segment `p<N>.log` as segment 0). */
  private open(partition: number): void {
    const pdir = this.partitionDir(partition);
    mkdirSync(pdir, { recursive: true });
    if (this.segments(partition).length === 0) {
      const legacy = join(this.dir, `p${partition}.log`);
      try {
        linkSync(legacy, this.segmentPath(partition, 0)); // link, not rename: never replaces a segment 0 another process made
        unlinkSync(legacy);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== "ENOENT" && code !== "EEXIST") throw error;
      }
      // Trimming never deletes the head: a partition that has committed work but no channel segment lost them.
      // Create nothing then (the store names the missing segment when the partition is taken: checkEnd).
      const log = join(this.dir, "..", "partitions", `p${partition}`);
      if (existsSync(log) && readdirSync(log).some((n) => n.endsWith(".seg"))) return;
      this.createSegment(partition, 0);
    }
    this.heads[partition] = this.scanHead(partition);
  }

  private partitionDir(partition: number): string {
    if (!(Number.isInteger(partition) && partition >= 0 && partition < this.partitionCount)) {
      throw new RangeError(`local channels: no partition ${partition} (there are ${this.partitionCount})`);
    }
    return join(this.dir, `p${partition}`);
  }

  private segmentPath(partition: number, segment: number): string {
    return join(this.partitionDir(partition), `${pad(segment)}.log`);
  }

  /** Segment numbers present, ascending. */
  segments(partition: number): number[] {
    return readdirSync(this.partitionDir(partition))
      .map((n) => SEGMENT_FILE.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }

  private scanHead(partition: number): number {
    const all = this.segments(partition);
    if (all.length === 0) {
      throw new StoreCorrupted(this.partitionDir(partition), "no channel segment left, though the partition has committed work: its files were deleted", channelRecovery(this.dir));
    }
    return all[all.length - 1]!;
  }

  /** Creates an empty segment unless it exists (O_EXCL), then makes its name durable. Sealing segment k is creating k+1. */
  private createSegment(partition: number, segment: number): void {
    try {
      closeSync(openSync(this.segmentPath(partition, segment), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    fsyncDir(this.partitionDir(partition));
    this.durableSegment[partition] = Math.max(this.durableSegment[partition]!, segment);
    this.heads[partition] = Math.max(this.heads[partition]!, segment);
  }

  async send(envelopes: readonly Envelope[]): Promise<void> {
    if (this.closed) throw new Error("local channels: closed");
    const byPartition = new Map<number, Buffer[]>();
    for (const e of envelopes) {
      this.partitionDir(e.to); // validates the partition
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
      if (!this.writing.has(partition)) {
        this.writing.add(partition);
        setImmediate(() => void this.writeLoop(partition)); // sends of this tick join the first group
      }
    }
    await Promise.all(writes);
  }

  /** Writes the partition's queued sends, group after group, until none are left; each group is one write + fsync before its senders resolve. */
  private async writeLoop(partition: number): Promise<void> {
    try {
      for (;;) {
        const queue = this.pending.get(partition);
        if (!queue || queue.length === 0) return;
        const group: PendingSend[] = [];
        let bytes = 0;
        while (queue.length > 0 && (group.length === 0 || bytes + queue[0]!.frames.length <= MAX_GROUP_BYTES)) {
          bytes += queue[0]!.frames.length;
          group.push(queue.shift()!);
        }
        try {
          await this.appendToHead(partition, Buffer.concat(group.map((g) => g.frames)));
          for (const g of group) g.done.resolve();
        } catch (error) {
          for (const g of group) g.done.reject(error);
        }
        this.wakeReaders(partition);
      }
    } finally {
      this.writing.delete(partition);
    }
  }

  /** Appends `bytes` to the head so that they are durable in a segment not sealed before the write (the writer half of the seal protocol). */
  private async appendToHead(partition: number, bytes: Buffer): Promise<void> {
    for (let attempt = 1; attempt <= MAX_APPEND_ATTEMPTS; attempt++) {
      let head = this.heads[partition]!;
      if (existsSync(this.segmentPath(partition, head + 1))) head = this.heads[partition] = this.scanHead(partition); // another process rotated: saves a duplicate
      channelFaults.beforeAppend?.(partition, head);
      let size: number;
      try {
        // Readers of this process are woken as soon as the bytes are written, not after the fsync: a partition
        // may apply them while they become durable, and waits for `durable()` before it commits what it consumed.
        let written: Position | undefined;
        const append = appendDurableAsync(this.segmentPath(partition, head), bytes, { create: false, onWritten: (end) => (written = { segment: head, offset: end }) });
        if (written) {
          this.syncing[partition] = { end: written, done: append };
          this.wakeReaders(partition);
        }
        size = await append;
        this.noteSynced(partition, { segment: head, offset: size });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        this.heads[partition] = this.scanHead(partition); // our head was trimmed: we were far behind
        continue;
      }
      if (this.durableSegment[partition]! < head) {
        fsyncDir(this.partitionDir(partition)); // the segment's name is durable before our send resolves
        this.durableSegment[partition] = head;
      }
      // Next first, then head: trimming deletes in ascending order, so a head trimmed meanwhile is seen even if its successor is gone too.
      if (existsSync(this.segmentPath(partition, head + 1)) || !existsSync(this.segmentPath(partition, head))) {
        // Sealed (or trimmed) meanwhile: the reader may have left this segment before our bytes landed. Write them again to the new head.
        this.heads[partition] = this.scanHead(partition);
        continue;
      }
      if (size >= this.segmentBytes) this.createSegment(partition, head + 1); // rotation: after our check, so our bytes precede the seal
      return;
    }
    throw new Error(`local channels: partition ${partition}: the head was sealed under ${MAX_APPEND_ATTEMPTS} appends in a row`);
  }

  private noteSynced(partition: number, end: Position): void {
    const synced = this.synced[partition]!;
    if ((synced.get(end.segment) ?? -1) < end.offset) synced.set(end.segment, end.offset);
    // Reads behind the head by more than a segment or two are rare: forget those (durable() fsyncs again if asked).
    for (const segment of synced.keys()) if (segment < end.segment - SYNCED_SEGMENTS_KEPT) synced.delete(segment);
  }

  /**
   * Resolves once every record of `partition` up to `position` (one a read
   * returned) is durable; undefined when it already is. A reader of this
   * process sees a send as soon as it is written, before its fsync (so the
   * partition applies it meanwhile); the partition core waits for this
   * before it commits the consumption of a record, so that no commit is ever
   * durable while a record it consumed could still vanish in a power cut.
   * Bytes this process's fsyncs did not cover (another process's sends, an
   * older segment) are made durable here with an fsync of the segment.
   */
  durable(partition: number, position: ChannelPosition): Promise<void> | undefined {
    const p = parsePosition(position);
    if ((this.synced[partition]!.get(p.segment) ?? -1) >= p.offset) return undefined;
    const inFlight = this.syncing[partition];
    if (inFlight && inFlight.end.segment === p.segment && inFlight.end.offset >= p.offset) return inFlight.done.then(() => undefined);
    return syncFileAsync(this.segmentPath(partition, p.segment)).then((size) => this.noteSynced(partition, { segment: p.segment, offset: size }));
  }

  private wakeReaders(partition: number): void {
    const set = this.waiters.get(partition);
    if (!set) return;
    this.waiters.delete(partition);
    for (const wake of set) wake();
  }

  async read(partition: number, after: ChannelPosition | undefined, options: { maxRecords: number; waitMs?: number }): Promise<ChannelRecord[]> {
    this.partitionDir(partition); // validates the partition
    if (!(Number.isInteger(options.maxRecords) && options.maxRecords >= 1)) throw new RangeError(`maxRecords must be a positive integer, got ${options.maxRecords}`);
    const from = after === undefined ? undefined : parsePosition(after);
    const deadline = Date.now() + Math.max(0, options.waitMs ?? 0);
    for (;;) {
      const records = this.readOnce(partition, from, options.maxRecords);
      if (records.length > 0 || this.closed || Date.now() >= deadline) return records;
      await new Promise<void>((resolve) => {
        const set = this.waiters.get(partition) ?? new Set();
        this.waiters.set(partition, set);
        const wake = () => {
          clearTimeout(timer);
          set.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(POLL_MS, Math.max(1, deadline - Date.now())));
        set.add(wake);
      });
    }
  }

  /** The reader half of the seal protocol: reads forward from `from`, across sealed segments, at most `maxRecords`. */
  private readOnce(partition: number, from: Position | undefined, maxRecords: number): ChannelRecord[] {
    let at = from ?? { segment: this.segments(partition)[0] ?? 0, offset: 0 };
    const out: ChannelRecord[] = [];
    for (;;) {
      const path = this.segmentPath(partition, at.segment);
      if (!existsSync(path)) {
        // Trimming deletes only segments below the one holding a checkpoint's consumed position, which no
        // reader position lies below; and it deletes them lowest first. So a reader's own segment, or one
        // with a segment below it, is not trimmed but lost, with records never read.
        const kept = this.segments(partition);
        const ownPosition = from !== undefined && at.segment === from.segment;
        if (ownPosition || kept.some((s) => s < at.segment)) {
          throw new StoreCorrupted(path, `missing: it holds records after position ${formatPosition(at)} that were not yet consumed`, channelRecovery(this.dir));
        }
        const next = kept.find((s) => s > at.segment);
        if (next === undefined) return out;
        at = { segment: next, offset: 0 };
        continue;
      }
      const sealed = existsSync(this.segmentPath(partition, at.segment + 1)); // before reading: see the class comment
      const chunk = readChunk(path, at.offset);
      if (chunk === undefined) {
        // Trimmed between the two checks; the next pass moves on.
        continue;
      }
      if (at.offset > chunk.fileSize) {
        // Positions are only handed out for records written: a segment shorter than one was cut.
        throw new StoreCorrupted(path, `shorter (${chunk.fileSize} bytes) than position ${formatPosition(at)}, already read from it: the file was cut`, channelRecovery(this.dir), chunk.fileSize);
      }
      const decoded = decodeFrames(chunk.bytes);
      for (const f of decoded.frames) {
        if (out.length >= maxRecords) return out;
        out.push({ position: formatPosition({ segment: at.segment, offset: at.offset + f.end }), envelope: f.value as Envelope });
      }
      const stopAt = at.offset + decoded.goodEnd;
      at = { segment: at.segment, offset: stopAt };
      if (out.length >= maxRecords) return out;
      if (decoded.stop === "end" || (decoded.stop === "partial" && chunk.truncated && decoded.frames.length > 0)) {
        if (chunk.truncated) continue; // the read budget ended at or inside a frame that the next chunk holds whole
        // A short frame seen here before is whole now. (Only here: a read from a position in an earlier segment
        // passes that segment's good end on its way to the head, and must not restart the head's wait each time.)
        if (this.stuck.get(partition)?.segment === at.segment) this.stuck.delete(partition);
        if (!sealed) return out;
        at = { segment: at.segment + 1, offset: 0 };
        continue;
      }
      // A frame that is short or bad at `stopAt`.
      if (sealed) {
        const next = skipTornFrame(path, stopAt, this.dir);
        this.reportDamage({ partition, segment: at.segment, offset: stopAt, bytes: next - stopAt });
        at = { segment: at.segment, offset: next };
        continue;
      }
      if (decoded.stop === "partial") {
        const seen = this.stuck.get(partition);
        if (!seen || seen.segment !== at.segment || seen.offset !== stopAt) {
          this.stuck.set(partition, { segment: at.segment, offset: stopAt, sinceMs: Date.now() });
          return out; // maybe a write in progress: the next read sees the rest
        }
        if (Date.now() - seen.sinceMs < this.tornAfterMs) return out;
      }
      // Short for too long, or bad: a torn write (then seal the segment so nothing more lands behind it, and skip
      // it), or damage (then refuse, changing nothing).
      skipTornFrame(path, stopAt, this.dir);
      this.stuck.delete(partition);
      this.createSegment(partition, at.segment + 1);
    }
  }

  private reportDamage(d: ChannelDamage): void {
    this.damage.push(d);
    if (this.damage.length > MAX_DAMAGE_REPORTS) this.damage.shift();
  }

  /**
   * The channel's end as this process sees it now (the head and its size),
   * recorded by the store in `lease.json` so that a later open can tell a cut
   * segment (records lost that a send was told are durable) from a torn send.
   */
  endPosition(partition: number): ChannelPosition {
    const head = this.scanHead(partition);
    // Every byte up to the end recorded is durable, in every segment (a send that landed in a segment sealed meanwhile
    // may still be in its fsync): a power cut then cuts nothing before it, so anything missing below it is damage.
    for (const segment of this.segments(partition)) if (segment < head) syncSegment(this.segmentPath(partition, segment));
    const fd = openSync(this.segmentPath(partition, head), "r");
    try {
      fsyncSync(fd);
      return formatPosition({ segment: head, offset: fstatSync(fd).size });
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Whether the channel still has every byte up to `position` (a record's
   * end): not after a power cut took an unsynced tail. Bytes at or below
   * `recordedEnd`, an end lease.json records, were durable when it was
   * recorded (endPosition), so no power cut took them: missing there, the
   * file was cut or deleted, and this throws StoreCorrupted instead.
   */
  holds(partition: number, position: ChannelPosition, recordedEnd?: ChannelPosition): boolean {
    const at = parsePosition(position);
    const path = this.segmentPath(partition, at.segment);
    const size = statSync(path, { throwIfNoEntry: false })?.size;
    if (size !== undefined && size >= at.offset) return true;
    const end = recordedEnd === undefined ? undefined : parsePosition(recordedEnd);
    if (end === undefined || at.segment > end.segment || (at.segment === end.segment && at.offset > end.offset)) return false;
    const why = `a record the commit log consumed ends at byte ${at.offset} of it, below the end lease.json records`;
    if (size === undefined) throw new StoreCorrupted(path, `missing, but ${why}`, channelRecovery(this.dir));
    throw new StoreCorrupted(path, `${size} bytes long, but ${why}: the file was cut`, channelRecovery(this.dir), size);
  }

  /**
   * Throws StoreCorrupted if the segment of a recorded end is now shorter, or
   * gone with no later segment (trimming never deletes the head, so a segment
   * trimmed since has a successor).
   */
  checkEnd(partition: number, end: ChannelPosition): void {
    const { segment, offset } = parsePosition(end);
    const path = this.segmentPath(partition, segment);
    const size = statSync(path, { throwIfNoEntry: false })?.size;
    if (size === undefined && !this.segments(partition).some((s) => s > segment)) {
      throw new StoreCorrupted(path, `missing: it was the channel's head, ${offset} bytes long (lease.json records that end)`, channelRecovery(this.dir));
    }
    if (size !== undefined && size < offset) {
      throw new StoreCorrupted(path, `${size} bytes long, but ${offset} bytes were written to it (lease.json records that end): the file was cut`, channelRecovery(this.dir), size);
    }
  }

  /**
   * Deletes every segment below the one that holds `consumed`, the input
   * position of a durable checkpoint: all their records are applied and
   * checkpointed. The head is never deleted (it holds or follows `consumed`).
   */
  trimConsumed(partition: number, consumed: ChannelPosition): number {
    const keepFrom = parsePosition(consumed).segment;
    let deleted = 0;
    for (const s of this.segments(partition)) {
      if (s >= keepFrom) break;
      try {
        unlinkSync(this.segmentPath(partition, s));
        deleted++;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    }
    if (deleted > 0) fsyncDir(this.partitionDir(partition));
    return deleted;
  }

  comparePositions(a: ChannelPosition, b: ChannelPosition): number {
    const x = parsePosition(a);
    const y = parsePosition(b);
    return x.segment !== y.segment ? x.segment - y.segment : x.offset - y.offset;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of [...this.waiters.keys()]) this.wakeReaders(p);
  }
}

/** Reads up to MAX_READ_BYTES from `offset` (more if the frame there is bigger); undefined if the file is gone. */
function readChunk(path: string, offset: number): { bytes: Buffer; fileSize: number; truncated: boolean } | undefined {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const fileSize = fstatSync(fd).size;
    if (offset >= fileSize) return { bytes: Buffer.alloc(0), fileSize, truncated: false };
    let length = Math.min(fileSize - offset, MAX_READ_BYTES);
    if (length >= FRAME_HEADER_BYTES) {
      const header = readExactly(fd, offset, FRAME_HEADER_BYTES);
      const first = FRAME_HEADER_BYTES + header.readUInt32LE(0);
      if (first > length && first <= FRAME_HEADER_BYTES + MAX_FRAME_PAYLOAD_BYTES) length = Math.min(fileSize - offset, first);
    }
    const bytes = readExactly(fd, offset, length);
    return { bytes, fileSize, truncated: offset + bytes.length < fileSize };
  } finally {
    closeSync(fd);
  }
}

function readExactly(fd: number, offset: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, offset + got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

/**
 * The offset just after the torn frame at `at` in the segment `path` (the
 * next intact frame, or the end of the file). A bad frame that is not torn
 * (a complete frame with a flipped bit, a zeroed stretch) holds a record a
 * send was told is durable: that is damage, thrown as StoreCorrupted.
 */
function skipTornFrame(path: string, at: number, channelsDir: string): number {
  const fd = openSync(path, "r");
  let buf: Buffer;
  try {
    buf = readExactly(fd, 0, fstatSync(fd).size);
  } finally {
    closeSync(fd);
  }
  const found = findNextFrame(buf, at + 1);
  const next = found < 0 ? buf.length : found;
  if (!isTornFrame(buf, at, next)) {
    throw new StoreCorrupted(path, `a record whose length, checksum or content is bad (${next - at} bytes up to the next good record)`, channelRecovery(channelsDir), at);
  }
  return next;
}

/** fsync of a segment file that may have been trimmed meanwhile (gone: nothing to make durable). */
function syncSegment(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function channelRecovery(channelsDir: string): string {
  return storeRecovery(dirname(channelsDir));
}

function formatPosition(p: Position): ChannelPosition {
  return `${p.segment}:${p.offset}`;
}

function parsePosition(p: ChannelPosition): Position {
  const m = typeof p === "string" ? /^(?:(\d+):)?(\d+)$/.exec(p) : null;
  const segment = m ? Number(m[1] ?? 0) : NaN;
  const offset = m ? Number(m[2]) : NaN;
  if (!(Number.isSafeInteger(segment) && Number.isSafeInteger(offset))) throw new TypeError(`not a local channel position: ${JSON.stringify(p)}`);
  return { segment, offset };
}
