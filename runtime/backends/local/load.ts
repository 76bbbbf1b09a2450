/**
 * Reading one partition's files (`partitions/p<N>/`) into memory, checking
 * every one: checkpoint and deltas (checksums, a contiguous chain, nothing the
 * manifest records missing) and the commit log (checksums, contiguous
 * positions, no listed segment missing).
 *
 * Invariant: the only damage tolerated is a torn tail, the last record of the
 * last segment cut short (a write a crash interrupted: never acknowledged);
 * with `repair` it is truncated. Any other damage throws StoreCorrupted naming
 * the file and offset, before anything is changed or deleted.
 */
import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readdirSync, readFileSync, statSync, truncateSync, unlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import type { CheckpointState, CommitRecord, InstanceStatusRecord, Json, ObjectUpdate } from "../types.ts";
import { StoreCorrupted } from "../errors.ts";
import { fsyncDir } from "./files.ts";
import { decodeFrames, findNextFrame, isTornFrame } from "./framing.ts";
import { readManifest, type Manifest } from "./manifest.ts";
import { openSealedJson } from "./sealed-json.ts";

export const pad = (n: number) => String(n).padStart(12, "0");
export const segmentName = (first: number) => `log-${pad(first)}.seg`;
export const deltaName = (position: number) => `delta-${pad(position)}.json`;
export const SNAPSHOT_FILE = "checkpoint.json";

/**
 * A commit record as the store keeps it until it is trimmed: its JSON text
 * (the frame's payload, stringified once; `readCommits` parses it, so every
 * reader gets records of its own) and its status rows. The rows are shared
 * with the record the core handed over: the core builds a fresh row per
 * commit and never changes one afterwards (its payload fields are replaced,
 * never changed in place; runtime/partitions/commit.ts), and the store never
 * hands a row out without copying it.
 */
export interface KeptCommit {
  readonly position: number;
  readonly text: string;
  readonly statusUpdates: readonly InstanceStatusRecord[];
  /** Instances whose status rows this commit removes (purges). */
  readonly statusDeletes?: readonly string[];
}

/** Applies a commit's (or a delta's) status rows, then its deletes: an instance is in at most one of the two. */
export function applyStatuses(into: Map<string, InstanceStatusRecord>, c: { statusUpdates: readonly InstanceStatusRecord[]; statusDeletes?: readonly string[] }): void {
  for (const s of c.statusUpdates) into.set(s.instanceId, s);
  for (const id of c.statusDeletes ?? []) into.delete(id);
}

export interface Delta {
  path: string;
  position: number;
  /** Log position of the checkpoint this delta builds on (the previous delta's, or the snapshot's). */
  previous: number;
}

export interface PartitionState {
  dir: string;
  commits: KeptCommit[];
  lastPosition: number;
  /** Segment files in order, with their first position. */
  segments: { first: number; path: string }[];
  checkpoint: CheckpointState;
  /** Log position of `checkpoint.json` (null: none written). */
  snapshotPosition: number | null;
  objects: Map<string, Json>;
  /** Statuses as of the checkpoint (persisted with it). */
  checkpointStatuses: Map<string, InstanceStatusRecord>;
  deltas: Delta[];
  /** Files written before checksums existed were read (no manifest): the take-over rewrites them sealed. */
  legacy: boolean;
  /** No manifest was found: the take-over writes one. */
  manifestMissing: boolean;
  /** Size of the last segment (0: none), so appends need no stat. */
  segmentSize: number;
  /** This process took the partition (tail cut, may write). */
  owned: boolean;
  /** Names, sizes and mtimes of the files when loaded: a change means another process wrote. */
  signature: string;
}

/** What the partition's files look like now (cheap: one readdir and a stat per file). */
export function diskSignature(dir: string): string {
  return readdirSync(dir)
    .filter((n) => n.endsWith(".seg") || n.endsWith(".json"))
    .sort()
    .map((n) => {
      const st = statSync(join(dir, n), { throwIfNoEntry: false });
      return st ? `${n}:${st.size}:${st.mtimeMs}` : n;
    })
    .join("|");
}

/** What the user can do about a damaged data file of the partition whose directory is `dir`. */
export function dataRecovery(dir: string): string {
  return storeRecovery(dirname(dirname(dir)));
}

/** What the user can do about a damaged data file of the store in `root`. */
export function storeRecovery(root: string): string {
  return (
    `restore the file from a backup of ${root} and start again; or, to discard all of this store's state deliberately ` +
    `(every instance and entity is lost), stop every process using ${root} and move it aside (mv ${root} ${root}.damaged)`
  );
}

function tailRecovery(dir: string, path: string, offset: number): string {
  return (
    `${dataRecovery(dir)}; or, if the machine lost power while this file was written, the bytes from offset ${offset} on may be ` +
    `an unfinished write: cutting them (truncate -s ${offset} ${path}) keeps the records before it and loses those after it`
  );
}

interface SnapshotBody {
  state: CheckpointState;
  objects: [string, Json][];
  statuses: InstanceStatusRecord[];
}
interface DeltaBody {
  state: CheckpointState;
  previous?: number;
  updates: ObjectUpdate[];
  statuses: InstanceStatusRecord[];
  statusDeletes?: string[];
}

const isState = (s: unknown): s is CheckpointState => typeof s === "object" && s !== null && Number.isSafeInteger((s as CheckpointState).logPosition);

/** Reads and checks one sealed checkpoint file; `legacy` (no checksum) is accepted only in a store without a manifest. */
function readSealed<T>(path: string, manifest: Manifest | undefined, valid: (b: T) => boolean): { body: T; legacy: boolean } {
  const recovery = dataRecovery(dirname(path));
  const { body, sealed } = openSealedJson<T>(path, readFileSync(path, "utf8"), recovery);
  if (!sealed && manifest) throw new StoreCorrupted(path, "no checksum, though this store writes one into every checkpoint file (damaged?)", recovery);
  if (!valid(body)) throw new StoreCorrupted(path, "fields missing or of the wrong type", recovery);
  return { body, legacy: !sealed };
}

/** Reads a partition from disk; with `repair`, removes temp files of interrupted atomic writes and truncates a torn tail. */
export function loadPartition(dir: string, repair: boolean, logEnd = 0): PartitionState {
  const signature = diskSignature(dir);
  const recovery = dataRecovery(dir);
  const manifest = readManifest(dir);
  const names = readdirSync(dir);
  const objects = new Map<string, Json>();
  const checkpointStatuses = new Map<string, InstanceStatusRecord>();
  let checkpoint: CheckpointState = { logPosition: 0 };
  let snapshotPosition: number | null = null;
  let legacy = false;

  const base = join(dir, SNAPSHOT_FILE);
  if (existsSync(base)) {
    const snap = readSealed<SnapshotBody>(base, manifest, (b) => isState(b.state) && Array.isArray(b.objects) && Array.isArray(b.statuses));
    legacy ||= snap.legacy;
    checkpoint = snap.body.state;
    snapshotPosition = checkpoint.logPosition;
    if (manifest?.snapshot != null && checkpoint.logPosition < manifest.snapshot) {
      throw new StoreCorrupted(base, `holds the checkpoint at log position ${checkpoint.logPosition}, older than the one written (${manifest.snapshot}): an older copy?`, recovery);
    }
    for (const [k, v] of snap.body.objects) objects.set(k, v);
    for (const s of snap.body.statuses) checkpointStatuses.set(s.instanceId, s);
  } else if (manifest?.snapshot != null) {
    throw new StoreCorrupted(base, `missing: a checkpoint at log position ${manifest.snapshot} was written`, recovery);
  }

  const deltas: Delta[] = [];
  for (const name of names.filter((n) => /^delta-\d{12}\.json$/.test(n)).sort()) {
    const path = join(dir, name);
    const delta = readSealed<DeltaBody>(path, manifest, (b) => isState(b.state) && Array.isArray(b.updates) && Array.isArray(b.statuses));
    legacy ||= delta.legacy;
    const { state, previous, updates, statuses, statusDeletes } = delta.body;
    if (deltaName(state.logPosition) !== name) throw new StoreCorrupted(path, `holds the checkpoint at log position ${state.logPosition}, not the one its name says`, recovery);
    if (state.logPosition <= checkpoint.logPosition) continue; // already in the snapshot (compaction crashed before deleting it)
    if (!delta.legacy && previous !== checkpoint.logPosition) {
      const missing = previous !== undefined && previous > checkpoint.logPosition ? deltaName(previous) : SNAPSHOT_FILE;
      throw new StoreCorrupted(path, `builds on the checkpoint at log position ${previous}, but the files before it reach only ${checkpoint.logPosition}: ${missing} is missing`, recovery);
    }
    checkpoint = state;
    for (const u of updates) u.value === null ? objects.delete(u.key) : objects.set(u.key, u.value);
    applyStatuses(checkpointStatuses, { statusUpdates: statuses, statusDeletes });
    deltas.push({ path, position: state.logPosition, previous: previous ?? 0 });
  }
  if (manifest && checkpoint.logPosition < manifest.checkpoint) {
    const missing = join(dir, manifest.checkpoint === manifest.snapshot ? SNAPSHOT_FILE : deltaName(manifest.checkpoint));
    throw new StoreCorrupted(missing, `missing: a checkpoint at log position ${manifest.checkpoint} was written, the checkpoint files present reach ${checkpoint.logPosition}`, recovery);
  }

  const segments = names
    .filter((n) => /^log-\d{12}\.seg$/.test(n))
    .sort()
    .map((n) => ({ first: Number(n.slice(4, 16)), path: join(dir, n) }));
  if (manifest) checkListedSegments(dir, manifest, segments, checkpoint.logPosition);
  const { commits, lastPosition, torn } = readLog(dir, segments, checkpoint.logPosition);
  if (lastPosition < logEnd) {
    // lease.json saw records up to logEnd durable: the log did not end in a torn write there, it was cut.
    const last = segments[segments.length - 1];
    throw new StoreCorrupted(
      last?.path ?? join(dir, segmentName(lastPosition + 1)),
      `the log ends at record ${lastPosition}, but records up to ${logEnd} were committed (lease.json records that end): the file was cut or the last segment lost`,
      dataRecovery(dir),
      last ? (torn?.goodEnd ?? statSync(last.path).size) : undefined,
    );
  }
  // Repairs only now, after every check passed: damage found above leaves everything as it was.
  if (repair) {
    // Temp files of atomic writes that a crash interrupted before their rename: never read, so remove.
    for (const n of names) if (/\.tmp-\d+$/.test(n)) unlinkSync(join(dir, n));
  }
  if (torn && repair) {
    truncateSync(torn.path, torn.goodEnd);
    fsyncDir(dir); // the cut is durable before new records follow it
  }
  const last = segments[segments.length - 1];
  const segmentSize = last ? (torn ? torn.goodEnd : statSync(last.path).size) : 0;
  return {
    dir, commits, lastPosition, segments, checkpoint, snapshotPosition, objects, checkpointStatuses, deltas,
    legacy, manifestMissing: manifest === undefined, segmentSize, owned: repair, signature,
  };
}

/** Cuts the log's last record from its segment, durably (a record never acknowledged: LocalStore's take-over says when). */
export function dropLastCommit(part: PartitionState): void {
  const segment = part.segments[part.segments.length - 1];
  const frame = segment && decodeFrames(readFileSync(segment.path)).frames.pop();
  const dropped = part.commits.pop();
  if (!frame || !dropped || (frame.value as CommitRecord).position !== dropped.position) {
    throw new Error(`partition at ${part.dir}: the last record of the log is not the last record of its last segment`);
  }
  const fd = openSync(segment.path, "r+");
  try {
    ftruncateSync(fd, frame.start);
    fsyncSync(fd); // the cut is durable before a new record takes the position
  } finally {
    closeSync(fd);
  }
  part.lastPosition = dropped.position - 1;
  part.segmentSize = frame.start;
}

/** Every segment the manifest lists must exist, unless trimming deleted it (all its records are checkpointed). */
function checkListedSegments(dir: string, manifest: Manifest, present: { first: number }[], checkpointPosition: number): void {
  const have = new Set(present.map((s) => s.first));
  manifest.segments.forEach((first, k) => {
    if (have.has(first)) return;
    const next = manifest.segments[k + 1];
    if (next !== undefined && next <= checkpointPosition + 1) return; // trimmed
    const held = next !== undefined ? `records ${first} to ${next - 1}` : `records from ${first} on (it was the last segment)`;
    throw new StoreCorrupted(join(dir, segmentName(first)), `missing: it held ${held}, not all of them checkpointed`, dataRecovery(dir));
  });
}

/** Reads the segments in order; every kept record is last+1; only a short last frame of the last segment is tolerated (returned as `torn`). */
function readLog(dir: string, segments: { first: number; path: string }[], checkpointPosition: number) {
  const commits: KeptCommit[] = [];
  let lastPosition = checkpointPosition;
  let torn: { path: string; goodEnd: number } | undefined;
  segments.forEach((seg, i) => {
    const bytes = readFileSync(seg.path);
    const decoded = decodeFrames(bytes);
    decoded.frames.forEach((f, k) => {
      const c = f.value as CommitRecord;
      const position = (c as { position?: unknown } | null)?.position;
      if (!Number.isSafeInteger(position)) throw new StoreCorrupted(seg.path, "a record without a log position", dataRecovery(dir), f.start);
      if (k === 0 && position !== seg.first) throw new StoreCorrupted(seg.path, `starts with record ${position}, not the ${seg.first} its name says`, dataRecovery(dir), f.start);
      if (c.position <= lastPosition && c.position <= checkpointPosition) return; // covered by the checkpoint
      if (c.position !== lastPosition + 1) {
        const gap = c.position > lastPosition + 1 ? `records ${lastPosition + 1} to ${c.position - 1} are missing (a segment deleted or replaced?)` : "out of order";
        throw new StoreCorrupted(seg.path, `record ${c.position} follows record ${lastPosition}: ${gap}`, dataRecovery(dir), f.start);
      }
      commits.push({ position: c.position, text: f.text, statusUpdates: c.statusUpdates, statusDeletes: c.statusDeletes });
      lastPosition = c.position;
    });
    if (decoded.stop === "end") return;
    const isLast = i === segments.length - 1;
    // A short frame with no intact frame after it: the last write, cut short. (A damaged length field in an
    // earlier record also reads as short, but intact records follow it;
    // and a record that is all there but whose length field grew (it still carries its checksum) is damage, not torn.
    if (decoded.stop === "partial" && isLast && findNextFrame(bytes, decoded.goodEnd + 1) < 0 && isTornFrame(bytes, decoded.goodEnd, bytes.length)) {
      torn = { path: seg.path, goodEnd: decoded.goodEnd }; // a write a crash cut short: never acknowledged
      return;
    }
    const damage =
      decoded.stop === "partial" && !isLast
        ? `a record cut short (${bytes.length - decoded.goodEnd} bytes) in a segment that is not the last one`
        : `a record whose length, checksum or content is bad (${bytes.length - decoded.goodEnd} bytes from there to the end of the file are unreadable)`;
    throw new StoreCorrupted(seg.path, damage, isLast ? tailRecovery(dir, seg.path, decoded.goodEnd) : dataRecovery(dir), decoded.goodEnd);
  });
  return { commits, lastPosition, torn };
}
