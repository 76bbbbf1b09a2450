/**
 * PartitionStore on files, per partition under `<dir>/partitions/p<N>/`:
 * - `lease.json`: `{ owner, epoch, expiresAtMs }`, replaced atomically under
 *   `lease.lock` (an O_EXCL lock file shared by every process on the dir;
 *   commits keep it across a run of calls, see HeldFileLock);
 * - `log-<first position>.seg`: commit-log segments of framed CommitRecords;
 * - `checkpoint.json` (a full snapshot: state, objects, statuses) and
 *   `delta-<log position>.json` (incremental checkpoints: changed objects
 *   only), each written atomically; deltas are compacted into a new snapshot
 *   when they pile up.
 *
 * Invariants: a commit is appended only at last+1 and only while the lease
 * file still carries its epoch, else FencedError: the file is read under the
 * lock (so across processes) when the lock is taken, and no other process
 * can change it while this one holds the lock; a torn or corrupt log tail is cut when this process takes
 * the partition, and no record after a bad one is ever used; a checkpoint is
 * either wholly visible or not at all; the status index reflects every commit.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, unlinkSync } from "node:fs";
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
import { appendDurableAsync, fsyncDir, HeldFileLock, writeAtomic } from "./files.ts";
import { decodeFrames, encodeFrameText } from "./framing.ts";

/** A new segment starts past this size, so trimming can delete whole files. */
export const SEGMENT_BYTES = 4 * 1024 * 1024;
/** Deltas over this count are compacted into a full snapshot: recovery reads at most this many delta files. */
export const MAX_DELTAS = 16;

/**
 * A commit record as the store keeps it until it is trimmed: its JSON text
 * (the frame's payload, stringified once; `readCommits` parses it, so every
 * reader gets records of its own) and its status rows. The rows are shared
 * with the record the core handed over: the core builds a fresh row per
 * commit and never changes one afterwards (its payload fields are replaced,
 * never changed in place; runtime/partitions/commit.ts), and the store never
 * hands a row out without copying it.
 */
interface KeptCommit {
  readonly position: number;
  readonly text: string;
  readonly statusUpdates: readonly InstanceStatusRecord[];
  readonly statusDeletes?: readonly string[];
}

interface PartitionState {
  dir: string;
  commits: KeptCommit[];
  lastPosition: number;
  /** Segment files in order, with their first position. */
  segments: { first: number; path: string }[];
  checkpoint: CheckpointState;
  objects: Map<string, Json>;
  /** Statuses as of the checkpoint (persisted with it). */
  checkpointStatuses: Map<string, InstanceStatusRecord>;
  deltaFiles: string[];
  /** Size of the last segment (0: none), so appends need no stat. */
  segmentSize: number;
  /** This process took the partition (tail cut, may write). */
  owned: boolean;
  /** Names, sizes and mtimes of the files when loaded: a change means another process wrote. */
  signature: string;
}

/** What the partition's files look like now (cheap: one readdir and a stat per file). */
function diskSignature(dir: string): string {
  return readdirSync(dir)
    .filter((n) => n.endsWith(".seg") || n.endsWith(".json"))
    .sort()
    .map((n) => {
      const st = statSync(join(dir, n), { throwIfNoEntry: false });
      return st ? `${n}:${st.size}:${st.mtimeMs}` : n;
    })
    .join("|");
}

/** Applies a commit's (or a delta's) status rows, then its deletes: an instance is in at most one of the two. */
function applyStatuses(into: Map<string, InstanceStatusRecord>, c: { statusUpdates: readonly InstanceStatusRecord[]; statusDeletes?: readonly string[] }): void {
  for (const s of c.statusUpdates) into.set(s.instanceId, s);
  for (const id of c.statusDeletes ?? []) into.delete(id);
}

const pad = (n: number) => String(n).padStart(12, "0");

export interface LocalStoreOptions {
  /** Start a new commit-log segment past this many bytes (default SEGMENT_BYTES). */
  segmentBytes?: number;
  /**
   * Called after a checkpoint is durable, with the input position it consumed
   * (index.ts trims the partition's channel segments below it). A failure is
   * the checkpoint's failure: the caller retries at the next checkpoint.
   */
  onCheckpoint?: (partition: number, state: CheckpointState) => void;
}

interface LeaseFile {
  owner: string;
  epoch: number;
  expiresAtMs: number;
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
      this.parts.push(this.load(dir, false));
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

  /** Reads a partition from disk; with `cut`, truncates a bad log tail and deletes later segments. */
  private load(dir: string, cut: boolean): PartitionState {
    const signature = diskSignature(dir);
    const objects = new Map<string, Json>();
    const checkpointStatuses = new Map<string, InstanceStatusRecord>();
    let checkpoint: CheckpointState = { logPosition: 0 };
    const base = join(dir, "checkpoint.json");
    if (existsSync(base)) {
      const snap = JSON.parse(readFileSync(base, "utf8")) as { state: CheckpointState; objects: [string, Json][]; statuses: InstanceStatusRecord[] };
      checkpoint = snap.state;
      for (const [k, v] of snap.objects) objects.set(k, v);
      for (const s of snap.statuses) checkpointStatuses.set(s.instanceId, s);
    }
    const names = readdirSync(dir);
    if (cut) {
      // Temp files of atomic writes that a crash interrupted before their rename: never read, so remove.
      for (const n of names) if (/\.tmp-\d+$/.test(n)) unlinkSync(join(dir, n));
    }
    const deltaFiles = names.filter((n) => /^delta-\d+\.json$/.test(n)).sort().map((n) => join(dir, n));
    const liveDeltas: string[] = [];
    for (const path of deltaFiles) {
      const delta = JSON.parse(readFileSync(path, "utf8")) as { state: CheckpointState; updates: ObjectUpdate[]; statuses: InstanceStatusRecord[]; statusDeletes?: string[] };
      if (delta.state.logPosition <= checkpoint.logPosition) continue; // already in the snapshot (compaction crashed before deleting it)
      checkpoint = delta.state;
      for (const u of delta.updates) u.value === null ? objects.delete(u.key) : objects.set(u.key, u.value);
      applyStatuses(checkpointStatuses, { statusUpdates: delta.statuses, statusDeletes: delta.statusDeletes });
      liveDeltas.push(path);
    }
    const segments = names
      .filter((n) => /^log-\d+\.seg$/.test(n))
      .sort()
      .map((n) => ({ first: Number(n.slice(4, 16)), path: join(dir, n) }));
    const commits: KeptCommit[] = [];
    let lastPosition = checkpoint.logPosition;
    let bad = false;
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i]!;
      if (bad) {
        if (cut) unlinkSync(seg.path);
        continue;
      }
      const decoded = decodeFrames(readFileSync(seg.path));
      for (const f of decoded.frames) {
        const c = f.value as CommitRecord;
        if (c.position <= lastPosition && c.position <= checkpoint.logPosition) continue; // covered by the checkpoint
        if (c.position !== lastPosition + 1) throw new Error(`${seg.path}: commit ${c.position} follows ${lastPosition}; the log has a gap`);
        commits.push({ position: c.position, text: f.text, statusUpdates: c.statusUpdates, statusDeletes: c.statusDeletes });
        lastPosition = c.position;
      }
      if (decoded.stop !== "end") {
        bad = true;
        if (cut) truncateSync(seg.path, decoded.goodEnd);
      }
    }
    if (bad && cut) {
      const keep = segments.filter((s) => existsSync(s.path));
      segments.length = 0;
      segments.push(...keep);
      fsyncDir(dir);
    }
    const last = segments[segments.length - 1];
    const segmentSize = last ? (statSync(last.path, { throwIfNoEntry: false })?.size ?? 0) : 0;
    return { dir, commits, lastPosition, segments, checkpoint, objects, checkpointStatuses, deltaFiles: liveDeltas, segmentSize, owned: cut, signature };
  }

  private part(partition: number): PartitionState {
    const p = this.parts[partition];
    if (!p) throw new RangeError(`local store: no partition ${partition} (there are ${this.partitionCount})`);
    return p;
  }

  private readLease(part: PartitionState): LeaseFile | undefined {
    const path = join(part.dir, "lease.json");
    return existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : undefined;
  }

  private lock(partition: number): HeldFileLock {
    this.part(partition);
    return this.locks[partition]!;
  }

  /** Takes the partition for this process: re-reads it from disk and cuts a bad tail. */
  private takeOver(partition: number): void {
    const fresh = this.load(this.part(partition).dir, true);
    this.parts[partition] = fresh;
    this.rebuildStatuses();
  }

  async acquireLease(partition: number, owner: string, durationMs: number): Promise<Lease | undefined> {
    const part = this.part(partition);
    if (!(durationMs > 0)) throw new RangeError(`lease duration must be positive, got ${durationMs}`);
    // Lease operations always re-read the file and give the lock up when done: they are rare, and another process may be waiting.
    const lease = await this.lock(partition).run({ keep: false }, () => {
      const now = Date.now();
      const current = this.readLease(part);
      if (current && current.owner !== owner && current.expiresAtMs > now) return undefined;
      const epoch = current && current.owner === owner && current.expiresAtMs > now ? current.epoch : (current?.epoch ?? 0) + 1;
      const next = { owner, epoch, expiresAtMs: now + durationMs };
      writeAtomic(join(part.dir, "lease.json"), JSON.stringify(next));
      if (!this.part(partition).owned || epoch !== current?.epoch) this.takeOver(partition);
      return { partition, ...next };
    });
    return lease;
  }

  async renewLease(lease: Lease, durationMs: number): Promise<Lease | undefined> {
    const part = this.part(lease.partition);
    return this.lock(lease.partition).run({ keep: false }, () => {
      const current = this.readLease(part);
      if (!current || current.owner !== lease.owner || current.epoch !== lease.epoch) return undefined;
      const next = { owner: lease.owner, epoch: lease.epoch, expiresAtMs: Date.now() + durationMs };
      writeAtomic(join(part.dir, "lease.json"), JSON.stringify(next));
      return { partition: lease.partition, ...next };
    });
  }

  async releaseLease(lease: Lease): Promise<void> {
    const part = this.part(lease.partition);
    await this.lock(lease.partition).run({ keep: false }, () => {
      const current = this.readLease(part);
      if (!current || current.epoch !== lease.epoch || current.owner !== lease.owner) return;
      writeAtomic(join(part.dir, "lease.json"), JSON.stringify({ ...current, expiresAtMs: 0 }));
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
      if (!this.part(lease.partition).owned) this.takeOver(lease.partition);
      return fn(this.part(lease.partition));
    });
  }

  async appendCommit(lease: Lease, record: CommitRecord): Promise<void> {
    await this.fenced(lease, async (part) => {
      if (record.position !== part.lastPosition + 1) {
        throw new Error(`partition ${lease.partition}: commit position ${record.position} is not ${part.lastPosition + 1} (last+1)`);
      }
      if (record.epoch !== lease.epoch) throw new FencedError(lease.partition, record.epoch, lease.epoch);
      // Stringified once: the frame's payload and the copy kept for readCommits are the same text.
      const text = JSON.stringify(record);
      const frame = encodeFrameText(text);
      const rotate = part.segments.length === 0 || part.segmentSize >= this.segmentBytes;
      if (rotate) part.segments.push({ first: record.position, path: join(part.dir, `log-${pad(record.position)}.seg`) });
      try {
        // The fsync runs off the event loop: other partitions' batches go on meanwhile (the lock is this partition's only).
        part.segmentSize = await appendDurableAsync(part.segments[part.segments.length - 1]!.path, frame, { create: true });
        if (rotate) fsyncDir(part.dir); // the new segment's name is durable
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
      const deltaPath = join(part.dir, `delta-${pad(state.logPosition)}.json`);
      writeAtomic(deltaPath, JSON.stringify({ state, updates, statuses: rows, ...(statusDeletes.length > 0 ? { statusDeletes } : {}) }));
      part.checkpoint = { ...state };
      for (const u of updates) u.value === null ? part.objects.delete(u.key) : part.objects.set(u.key, JSON.parse(JSON.stringify(u.value)));
      applyStatuses(part.checkpointStatuses, { statusUpdates: rows, statusDeletes });
      if (!part.deltaFiles.includes(deltaPath)) part.deltaFiles.push(deltaPath);
      if (part.deltaFiles.length > MAX_DELTAS) {
        writeAtomic(join(part.dir, "checkpoint.json"), JSON.stringify({ state, objects: [...part.objects], statuses: [...part.checkpointStatuses.values()] }));
        for (const d of part.deltaFiles) unlinkSync(d); // the snapshot holds them now
        part.deltaFiles = [];
        fsyncDir(part.dir);
      }
    });
    this.options.onCheckpoint?.(lease.partition, { ...state });
  }

  async readCheckpointState(partition: number): Promise<CheckpointState> {
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
        this.parts[p] = this.load(part.dir, false);
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
