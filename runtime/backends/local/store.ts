/**
 * PartitionStore on files, per partition under `<dir>/partitions/p<N>/`:
 * - `lease.json`: `{ owner, epoch, expiresAtMs }`, who holds it (pid,
 *   machine, command: lease-holder.ts) and the log's end when written,
 *   sealed (sealed-json.ts) and replaced atomically under `lease.lock` (an
 *   O_EXCL lock file shared by every process on the dir; commits keep it
 *   across a run of calls, see HeldFileLock);
 * - `log-<first position>.seg`: commit-log segments of framed CommitRecords;
 * - `checkpoint.json` (a full snapshot: state, objects, statuses) and
 *   `delta-<log position>.json` (incremental checkpoints: changed objects
 *   only, chained by `previous`), sealed and written atomically; deltas are
 *   compacted into a new snapshot when they pile up;
 * - `manifest.json`: which of those files must exist (manifest.ts).
 * Reading and checking them is load.ts.
 *
 * Invariants: a commit is appended only at last+1 and only while the lease
 * file still carries its epoch, else FencedError: the file is read under the
 * lock (so across processes) when the lock is taken, and no other process
 * can change it while this one holds the lock; only a torn tail (the last
 * record of the last segment, cut short) is cut when this process takes the
 * partition, any other damage throws StoreCorrupted and changes nothing; a
 * checkpoint is either wholly visible or not at all; the status index
 * reflects every commit.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import {
  FencedError,
  type CheckpointState,
  type CommitRecord,
  type InstanceStatusRecord,
  type Json,
  type Lease,
  type ObjectUpdate,
  type PartitionStore,
  type StatusFilter,
} from "../types.ts";
import { LeaseHeld, StoreCorrupted } from "../errors.ts";
import { appendDurableAsync, fsyncDir, HeldFileLock, writeAtomic } from "./files.ts";
import { encodeFrameText } from "./framing.ts";
import { describeHolder, holderLiveness, selfIdentity, type HolderIdentity } from "./lease-holder.ts";
import { applyStatuses, deltaName, diskSignature, dropLastCommit, loadPartition, SNAPSHOT_FILE, segmentName, type PartitionState } from "./load.ts";
import { writeManifest } from "./manifest.ts";
import { openSealedJson, sealJson } from "./sealed-json.ts";
import { asUnwritable } from "./unwritable.ts";

/** A new segment starts past this size, so trimming can delete whole files. */
export const SEGMENT_BYTES = 4 * 1024 * 1024;
/** Deltas over this count are compacted into a full snapshot: recovery reads at most this many delta files. */
export const MAX_DELTAS = 16;
/** A store that does not own a partition reads it while its owner may be writing: a read caught mid-compaction is retried this often. */
const FOREIGN_READ_ATTEMPTS = 3;

export interface LocalStoreOptions {
  /** Start a new commit-log segment past this many bytes (default SEGMENT_BYTES). */
  segmentBytes?: number;
  /**
   * Called after a checkpoint is durable, with the input position it consumed
   * (index.ts trims the partition's channel segments below it). A failure is
   * the checkpoint's failure: the caller retries at the next checkpoint.
   */
  onCheckpoint?: (partition: number, state: CheckpointState) => void;
  /**
   * The partition's input channel: its end is recorded with the lease and checked when the partition is taken, and
   * whether it still holds the input of the log's last record (index.ts).
   */
  channelEnd?: {
    read(partition: number): string;
    check(partition: number, end: string): void;
    /** Throws StoreCorrupted for input missing at or below `recordedEnd` (damage, not a power cut). */
    holds(partition: number, position: string, recordedEnd?: string): boolean;
  };
}

interface LeaseFile extends Partial<HolderIdentity> {
  owner: string;
  epoch: number;
  expiresAtMs: number;
  /**
   * The last log position known durable when the file was written (renewals
   * every third of the lease, and the release at a clean stop): a log found
   * ending before it was cut, not torn. Costs no write of its own.
   */
  logEnd?: number;
  /** Likewise the input channel's end (a channel position), so a cut channel segment is noticed too. */
  channelEnd?: string;
}

const LEASE_FILE = "lease.json";

function leaseRecovery(path: string): string {
  return `${path} only records which host holds the partition and where its log ended, no data: stop every process using this store, then delete it (the check of the log's end is skipped once)`;
}

/** Reads `lease.json` (undefined if none); garbage throws StoreCorrupted naming it. */
function readLeaseFile(dir: string): LeaseFile | undefined {
  const path = join(dir, LEASE_FILE);
  if (!existsSync(path)) return undefined;
  const { body } = openSealedJson<LeaseFile>(path, readFileSync(path, "utf8"), leaseRecovery(path));
  const logEndOk = (body.logEnd === undefined || Number.isSafeInteger(body.logEnd)) && (body.channelEnd === undefined || typeof body.channelEnd === "string");
  if (!(typeof body.owner === "string" && Number.isSafeInteger(body.epoch) && typeof body.expiresAtMs === "number" && logEndOk)) {
    throw new StoreCorrupted(path, "not a lease (owner, epoch or expiresAtMs missing or of the wrong type)", leaseRecovery(path));
  }
  return body;
}

interface Ends {
  logEnd: number;
  channelEnd?: string;
}

function writeLeaseFile(dir: string, lease: { owner: string; epoch: number; expiresAtMs: number }, ends: Ends): void {
  writeAtomic(join(dir, LEASE_FILE), sealJson({ owner: lease.owner, epoch: lease.epoch, expiresAtMs: lease.expiresAtMs, ...ends, ...selfIdentity() }));
}

export class LocalStore implements PartitionStore {
  private readonly parts: PartitionState[] = [];
  /** Per partition: `lease.lock`, held across a run of commits. */
  private readonly locks: HeldFileLock[] = [];
  /** Per partition: `lease.json` as read when the held lock was taken (valid only while it is held). */
  private readonly leaseSeen: (LeaseFile | undefined)[] = [];
  private readonly statuses = new Map<string, InstanceStatusRecord>();

  private readonly segmentBytes: number;

  constructor(private readonly root: string, readonly partitionCount: number, private readonly options: LocalStoreOptions = {}) {
    this.segmentBytes = options.segmentBytes ?? SEGMENT_BYTES;
    if (!(Number.isInteger(this.segmentBytes) && this.segmentBytes >= 1)) throw new RangeError(`segmentBytes must be a positive integer, got ${this.segmentBytes}`);
    for (let p = 0; p < partitionCount; p++) {
      const dir = join(root, "partitions", `p${p}`);
      mkdirSync(dir, { recursive: true });
      this.parts.push(this.loadForeign(dir));
      this.locks.push(new HeldFileLock(join(dir, "lease.lock")));
      this.leaseSeen.push(undefined);
    }
    this.rebuildStatuses();
  }

  private rebuildStatuses(): void {
    this.statuses.clear();
    for (const part of this.parts) {
      for (const [id, s] of part.checkpointStatuses) this.statuses.set(id, s);
      for (const c of part.commits) applyStatuses(this.statuses, c);
    }
  }

  /**
   * Reads a partition this process does not own. Its owner (another process)
   * may be compacting or trimming meanwhile, so a read that finds a file
   * gone or damaged is tried again before the damage is believed.
   */
  private loadForeign(dir: string): PartitionState {
    for (let attempt = 1; ; attempt++) {
      try {
        return loadPartition(dir, false);
      } catch (error) {
        const moving = error instanceof StoreCorrupted || (error as NodeJS.ErrnoException).code === "ENOENT";
        if (!moving || attempt >= FOREIGN_READ_ATTEMPTS) throw error;
      }
    }
  }

  private part(partition: number): PartitionState {
    const p = this.parts[partition];
    if (!p) throw new RangeError(`local store: no partition ${partition} (there are ${this.partitionCount})`);
    return p;
  }

  private readLease(part: PartitionState): LeaseFile | undefined {
    return readLeaseFile(part.dir);
  }

  private lock(partition: number): HeldFileLock {
    this.part(partition);
    return this.locks[partition]!;
  }

  /**
   * Takes the partition for this process: re-reads it from disk, checking
   * every file, and cuts a torn tail. A store written before checksums and
   * the manifest gets both now (a sealed snapshot replaces its old files).
   */
  private takeOver(partition: number, ends: Partial<Ends>): void {
    if (ends.channelEnd !== undefined) this.options.channelEnd?.check(partition, ends.channelEnd);
    const fresh = loadPartition(this.part(partition).dir, true, ends.logEnd ?? 0);
    this.dropRecordWithLostInput(partition, fresh, ends.channelEnd);
    this.parts[partition] = fresh;
    if (fresh.legacy) this.writeSnapshot(fresh);
    else if (fresh.manifestMissing) this.writeManifestOf(fresh);
    this.rebuildStatuses();
  }

  /**
   * A commit record's fsync runs beside that of the channel records it consumed (appendCommit's `inputDurable`),
   * and the record is acknowledged only once both are done; so a power cut can leave the record and lose those
   * records. Only the log's last record can be in that state (the next append waits for it): such a record is cut,
   * as a torn tail is. But only if its input lies past the end lease.json records (`recordedChannelEnd`): every
   * byte below that end, in every segment, was durable when it was recorded, so input missing there is damage (a
   * segment cut or deleted, the head or one sealed before it), refused with nothing changed. A head cut below that
   * end is refused before this runs, by takeOver's channel-end check; any other input the channel lacks is damage
   * the partition's read reports.
   */
  private dropRecordWithLostInput(partition: number, part: PartitionState, recordedChannelEnd: string | undefined): void {
    const last = part.commits[part.commits.length - 1];
    if (!last || !this.options.channelEnd) return;
    const input = (JSON.parse(last.text) as CommitRecord).inputPosition;
    if (input !== undefined && !this.options.channelEnd.holds(partition, input, recordedChannelEnd)) dropLastCommit(part);
  }

  async acquireLease(partition: number, owner: string, durationMs: number): Promise<Lease | undefined> {
    const part = this.part(partition);
    if (!(durationMs > 0)) throw new RangeError(`lease duration must be positive, got ${durationMs}`);
    // Lease operations always re-read the file and give the lock up when done: they are rare, and another process may be waiting.
    const lease = await this.lock(partition).run({ keep: false }, () => {
      const now = Date.now();
      const current = this.readLease(part);
      if (current && current.owner !== owner && current.expiresAtMs > now) {
        const liveness = holderLiveness(current);
        // A live process of this machine holds it: say which, rather than wait for it silently.
        if (liveness === "alive" && current.pid !== process.pid) throw new LeaseHeld(this.root, partition, { pid: current.pid!, command: current.command, hostname: current.hostname });
        // A dead holder of this machine writes nothing more: take over now (a new epoch, as after expiry).
        if (liveness !== "dead") return undefined;
      }
      const epoch = current && current.owner === owner && current.expiresAtMs > now ? current.epoch : (current?.epoch ?? 0) + 1;
      const next = { owner, epoch, expiresAtMs: now + durationMs };
      const ends = this.endsFor(partition, current);
      writeLeaseFile(part.dir, next, ends);
      if (!this.part(partition).owned || epoch !== current?.epoch) {
        try {
          this.takeOver(partition, ends);
        } catch (error) {
          writeLeaseFile(part.dir, { ...next, expiresAtMs: 0 }, ends); // not taken after all: a restart after the repair need not wait
          throw error;
        }
      }
      return { partition, ...next };
    }).catch((error) => {
      throw asUnwritable(error, part.dir);
    });
    return lease;
  }

  /**
   * The ends to record: ours if this process has the partition loaded for
   * writing (every appended record is durable, and so is every channel byte
   * a send was acknowledged for, though a torn send may lie before the end),
   * else those of the file.
   */
  private endsFor(partition: number, current: LeaseFile | undefined): Ends {
    const part = this.part(partition);
    if (!part.owned) return { logEnd: current?.logEnd ?? 0, channelEnd: current?.channelEnd };
    return { logEnd: Math.max(current?.logEnd ?? 0, part.lastPosition), channelEnd: this.options.channelEnd?.read(partition) ?? current?.channelEnd };
  }

  /** Who holds the partition's lease, for a host that waits for it (undefined: free or expired). */
  async leaseHolder(partition: number): Promise<string | undefined> {
    const current = this.readLease(this.part(partition));
    if (!current || current.expiresAtMs <= Date.now()) return undefined;
    return `${describeHolder(current)}, until ${new Date(current.expiresAtMs).toISOString()} unless renewed`;
  }

  async renewLease(lease: Lease, durationMs: number): Promise<Lease | undefined> {
    const part = this.part(lease.partition);
    return this.lock(lease.partition).run({ keep: false }, () => {
      const current = this.readLease(part);
      if (!current || current.owner !== lease.owner || current.epoch !== lease.epoch) return undefined;
      const next = { owner: lease.owner, epoch: lease.epoch, expiresAtMs: Date.now() + durationMs };
      writeLeaseFile(part.dir, next, this.endsFor(lease.partition, current));
      return { partition: lease.partition, ...next };
    });
  }

  async releaseLease(lease: Lease): Promise<void> {
    const part = this.part(lease.partition);
    await this.lock(lease.partition).run({ keep: false }, () => {
      const current = this.readLease(part);
      if (!current || current.epoch !== lease.epoch || current.owner !== lease.owner) return;
      writeLeaseFile(part.dir, { ...current, expiresAtMs: 0 }, this.endsFor(lease.partition, current));
    });
    this.part(lease.partition).owned = false;
  }

  /**
   * Runs `fn` only if the lease file still carries `lease.epoch` and owner,
   * under the lock, so a host in another process is fenced too. The lock is
   * kept across a run of commits: the file is re-read when the lock is taken
   * (`fresh`); while this process holds it, no other process can write the
   * file (every lease change is made under the lock), so the reading taken
   * then still holds.
   */
  private async fenced<T>(lease: Lease, fn: (part: PartitionState) => T | Promise<T>): Promise<T> {
    const part = this.part(lease.partition);
    return this.lock(lease.partition).run({ keep: true }, (fresh) => {
      if (fresh) this.leaseSeen[lease.partition] = this.readLease(part);
      const current = this.leaseSeen[lease.partition];
      const epoch = current?.epoch ?? 0;
      if (epoch !== lease.epoch || current?.owner !== lease.owner) throw new FencedError(lease.partition, lease.epoch, epoch);
      if (!this.part(lease.partition).owned) this.takeOver(lease.partition, current ?? {});
      return fn(this.part(lease.partition));
    });
  }

  async appendCommit(lease: Lease, record: CommitRecord, inputDurable?: Promise<void>): Promise<void> {
    await this.fenced(lease, async (part) => {
      if (record.position !== part.lastPosition + 1) {
        throw new Error(`partition ${lease.partition}: commit position ${record.position} is not ${part.lastPosition + 1} (last+1)`);
      }
      if (record.epoch !== lease.epoch) throw new FencedError(lease.partition, record.epoch, lease.epoch);
      // Stringified once: the frame's payload and the copy kept for readCommits are the same text.
      const text = JSON.stringify(record);
      const frame = encodeFrameText(text);
      const rotate = part.segments.length === 0 || part.segmentSize >= this.segmentBytes;
      if (rotate) part.segments.push({ first: record.position, path: join(part.dir, segmentName(record.position)) });
      try {
        // The fsync runs off the event loop: other partitions' batches go on meanwhile (the lock is this partition's only).
        part.segmentSize = await appendDurableAsync(part.segments[part.segments.length - 1]!.path, frame, { create: true });
        if (rotate) {
          fsyncDir(part.dir); // the new segment's name is durable
          this.writeManifestOf(part); // before the commit is acknowledged: a deleted last segment is then noticed
        }
        // The record is durable; the channel records it consumed may still be in their fsync (it ran beside ours).
        // Until they are, this is the log's last record (the lock is held), and recovery drops it if they are lost.
        if (inputDurable) await inputDurable;
      } catch (error) {
        part.owned = false; // memory may disagree with the file now: the next lease or write reloads the partition from disk
        throw error;
      }
      part.commits.push({ position: record.position, text, statusUpdates: record.statusUpdates, statusDeletes: record.statusDeletes });
      part.lastPosition = record.position;
      applyStatuses(this.statuses, record);
    });
  }

  async readCommits(partition: number, after: number): Promise<CommitRecord[]> {
    return this.part(partition).commits.filter((c) => c.position > after).map((c) => JSON.parse(c.text) as CommitRecord);
  }

  async writeCheckpoint(lease: Lease, state: CheckpointState, updates: readonly ObjectUpdate[]): Promise<void> {
    await this.fenced(lease, (part) => {
      if (state.logPosition < part.checkpoint.logPosition) throw new Error(`partition ${lease.partition}: checkpoint ${state.logPosition} is older than ${part.checkpoint.logPosition}`);
      if (state.logPosition > part.lastPosition) throw new Error(`partition ${lease.partition}: checkpoint ${state.logPosition} is past the last commit ${part.lastPosition}`);
      // Rows set (a row) or removed (null, a purge) by the commits this checkpoint covers.
      const statuses = new Map<string, InstanceStatusRecord | null>();
      for (const c of part.commits) {
        if (c.position <= part.checkpoint.logPosition || c.position > state.logPosition) continue;
        for (const s of c.statusUpdates) statuses.set(s.instanceId, s);
        for (const id of c.statusDeletes ?? []) statuses.set(id, null);
      }
      const rows = [...statuses.values()].filter((s) => s !== null);
      const statusDeletes = [...statuses].filter(([, s]) => s === null).map(([id]) => id);
      // A checkpoint at the snapshot's own position cannot be a delta (loading skips deltas the snapshot covers): it rewrites the snapshot.
      const asDelta = state.logPosition !== part.snapshotPosition;
      const last = part.deltas[part.deltas.length - 1];
      // Each delta names the checkpoint it builds on, so a missing one in the chain is noticed; one rewritten at its own position keeps its base.
      const previous = last && last.position === state.logPosition ? last.previous : part.checkpoint.logPosition;
      const deltaPath = join(part.dir, deltaName(state.logPosition));
      try {
        if (asDelta) writeAtomic(deltaPath, sealJson({ state, previous, updates, statuses: rows, ...(statusDeletes.length > 0 ? { statusDeletes } : {}) }));
        part.checkpoint = { ...state };
        // A copy, since the caller may change its objects later; a string (a history step's text) is immutable and is kept as it is.
        for (const u of updates) u.value === null ? part.objects.delete(u.key) : part.objects.set(u.key, typeof u.value === "object" ? JSON.parse(JSON.stringify(u.value)) : u.value);
        applyStatuses(part.checkpointStatuses, { statusUpdates: rows, statusDeletes });
        if (asDelta && !(last && last.position === state.logPosition)) part.deltas.push({ path: deltaPath, position: state.logPosition, previous });
        if (!asDelta || part.deltas.length > MAX_DELTAS) this.writeSnapshot(part);
        else this.writeManifestOf(part);
      } catch (error) {
        part.owned = false; // memory may be ahead of the files: the next lease or write reloads the partition from disk
        throw error;
      }
    });
    this.options.onCheckpoint?.(lease.partition, { ...state });
  }

  /** Compaction: the whole object map into `checkpoint.json`, then the deltas it covers go. */
  private writeSnapshot(part: PartitionState): void {
    writeAtomic(join(part.dir, SNAPSHOT_FILE), sealJson({ state: part.checkpoint, objects: [...part.objects], statuses: [...part.checkpointStatuses.values()] }));
    part.snapshotPosition = part.checkpoint.logPosition;
    // Every delta file is at or below the snapshot now (leftovers of a crashed compaction, files of an older format too).
    for (const n of readdirSync(part.dir)) if (/^delta-\d{12}\.json$/.test(n)) unlinkSync(join(part.dir, n));
    part.deltas = [];
    fsyncDir(part.dir);
    this.writeManifestOf(part);
  }

  private writeManifestOf(part: PartitionState): void {
    writeManifest(part.dir, { snapshot: part.snapshotPosition, checkpoint: part.checkpoint.logPosition, segments: part.segments.map((s) => s.first) });
  }

  async readCheckpointState(partition: number): Promise<CheckpointState> {
    // The first read of a committed object (runtime/inspect.ts): a partition another process owns is re-read when its files changed.
    this.refreshForeign();
    return { ...this.part(partition).checkpoint };
  }

  async readObject(partition: number, key: string): Promise<Json | undefined> {
    const v = this.part(partition).objects.get(key);
    return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
  }

  async listObjectKeys(partition: number, prefix: string): Promise<string[]> {
    return [...this.part(partition).objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  async trimCommits(partition: number, upTo: number): Promise<void> {
    const part = this.part(partition);
    if (upTo > part.checkpoint.logPosition) throw new Error(`partition ${partition}: cannot trim to ${upTo} past the checkpoint ${part.checkpoint.logPosition}`);
    part.commits = part.commits.filter((c) => c.position > upTo);
    // A segment may go when the next one starts at or below upTo+1 (all its records are checkpointed); the last segment stays.
    while (part.segments.length > 1 && part.segments[1]!.first <= upTo + 1) {
      unlinkSync(part.segments.shift()!.path);
    }
  }

  /**
   * Re-reads (without repairing) the partitions another process writes, when
   * their files changed: a client process sees the statuses a host commits.
   */
  private refreshForeign(): void {
    let changed = false;
    for (let p = 0; p < this.parts.length; p++) {
      const part = this.parts[p]!;
      if (part.owned || diskSignature(part.dir) === part.signature) continue;
      try {
        this.parts[p] = loadPartition(part.dir, false);
        changed = true;
      } catch {
        /* caught mid-compaction or mid-cut by the owner: keep the last view, retry on the next read */
      }
    }
    if (changed) this.rebuildStatuses();
  }

  async readStatus(instanceId: string): Promise<InstanceStatusRecord | undefined> {
    this.refreshForeign();
    const s = this.statuses.get(instanceId);
    return s && JSON.parse(JSON.stringify(s));
  }

  async listStatus(filter: StatusFilter): Promise<InstanceStatusRecord[]> {
    this.refreshForeign();
    const out: InstanceStatusRecord[] = [];
    for (const s of this.statuses.values()) {
      if (filter.name !== undefined && s.name !== filter.name) continue;
      if (filter.status && !filter.status.includes(s.status)) continue;
      if (filter.createdFrom !== undefined && s.createdAt < filter.createdFrom) continue;
      if (filter.createdTo !== undefined && s.createdAt > filter.createdTo) continue;
      if (filter.instanceIdPrefix !== undefined && !s.instanceId.startsWith(filter.instanceIdPrefix)) continue;
      out.push(JSON.parse(JSON.stringify(s)));
      if (filter.limit !== undefined && out.length >= filter.limit) break;
    }
    return out;
  }

  /** Gives up the lease locks this store holds (after the calls in flight). */
  async close(): Promise<void> {
    await Promise.all(this.locks.map((l) => l.close()));
  }
}
