/**
 * Item keys of the partitions table (pk = "p<N>", sk below) and of the status
 * table (id). Invariant: every kind of item has its own sk prefix, and sort keys
 * of commit records sort by position (zero-padded), so one Query reads a range.
 *
 *   lease                          owner, epoch, expiresAtMs
 *   head                           last (commit position), inputPosition
 *   checkpoint                     logPosition, inputPosition
 *   log#<position:16>#<chunk:4>    a commit record, JSON split into chunks
 *   obj#<key>                      a checkpointed object (first chunk, chunk count n, version)
 *   objc#<key>#<i>                 its further chunks (i >= 1)
 *   poison#<shard>#<sequence>      a stream record the partition could not decode,
 *                                  skipped and kept here (runtime/lambda/poison.ts)
 */

export const LEASE_SK = "lease";
export const HEAD_SK = "head";
export const CHECKPOINT_SK = "checkpoint";

/** Commit positions are zero-padded to 16 digits: beyond Number.MAX_SAFE_INTEGER's 16 we never go. */
const POSITION_DIGITS = 16;
const CHUNK_DIGITS = 4;

/** DynamoDB sort keys are at most 1024 bytes; object keys get what the prefix and chunk suffix leave. */
export const MAX_OBJECT_KEY_BYTES = 1000;

export const partitionKey = (partition: number) => `p${partition}`;

export function logSk(position: number, chunk: number): string {
  return `log#${String(position).padStart(POSITION_DIGITS, "0")}#${String(chunk).padStart(CHUNK_DIGITS, "0")}`;
}
/** Sort keys at or below this one belong to commit positions <= `position`. */
export const logSkLast = (position: number) => logSk(position, 10 ** CHUNK_DIGITS - 1);

export function positionOfLogSk(sk: string): { position: number; chunk: number } {
  const [, position, chunk] = sk.split("#");
  return { position: Number(position), chunk: Number(chunk) };
}

export const POISON_PREFIX = "poison#";
export const poisonSk = (shardId: string, sequenceNumber: string) => `${POISON_PREFIX}${shardId}#${sequenceNumber}`;

export const OBJECT_PREFIX = "obj#";
export const objectSk = (key: string) => `${OBJECT_PREFIX}${key}`;
export const objectChunkSk = (key: string, i: number) => `objc#${key}#${i}`;

/** Status items: the instance id; further chunks of a large status get a NUL-separated suffix no instance id contains. */
export const statusChunkId = (instanceId: string, i: number) => `${instanceId}\u0000${i}`;

export function assertObjectKey(key: string): void {
  if (typeof key !== "string" || key.length === 0) throw new TypeError(`aws store: an object key must be a non-empty string`);
  if (new TextEncoder().encode(key).byteLength > MAX_OBJECT_KEY_BYTES) {
    throw new RangeError(`aws store: object key "${key.slice(0, 40)}..." is over ${MAX_OBJECT_KEY_BYTES} bytes (DynamoDB sort keys hold 1024)`);
  }
}
