/**
 * The group commit: everything one batch changed becomes one CommitRecord
 * (redo records of the changed objects, the status rows of the changed
 * instances, the last input position consumed) appended at position last+1.
 *
 * Invariant: commits are appended strictly in batch order (a promise chain),
 * each under the partition's lease epoch; what leaves the partition because
 * of a batch (messages, acks, status notifications) is released only after
 * that batch's append resolved.
 */
import type { ChannelPosition, CommitRecord, InstanceStatusRecord, Lease } from "../backends/types.ts";
import type { Batch } from "./batch.ts";
import { statusRecordOf } from "./state/instance.ts";

export function buildCommit(batch: Batch, lease: Lease, inputPosition: ChannelPosition | undefined): CommitRecord | undefined {
  const updates = batch.objects.takeCommitUpdates();
  const statusUpdates: InstanceStatusRecord[] = [];
  const statusDeletes: string[] = [];
  for (const id of batch.statusChanged) {
    const rec = batch.instance(id);
    // A fresh row whose payload fields are shared: an instance's input, output, error and custom status are replaced, never changed in place.
    if (rec) statusUpdates.push(statusRecordOf(rec));
    // Changed and gone: purged in this batch (handlers/purge.ts).
    else statusDeletes.push(id);
  }
  if (updates.length === 0 && statusUpdates.length === 0 && statusDeletes.length === 0) return undefined;
  const record: CommitRecord = { position: batch.logPosition, epoch: lease.epoch, updates, statusUpdates };
  if (statusDeletes.length > 0) record.statusDeletes = statusDeletes;
  if (inputPosition !== undefined) record.inputPosition = inputPosition;
  return record;
}

/** Serialises asynchronous work in submission order; after a failure nothing further runs. */
export class CommitChain {
  private tail: Promise<void> = Promise.resolve();
  private failed = false;
  private pending = 0;

  constructor(private readonly onFailure: (error: unknown) => void) {}

  get depth(): number {
    return this.pending;
  }

  enqueue(work: () => Promise<void>): Promise<void> {
    this.pending++;
    const run = this.tail.then(async () => {
      if (this.failed) return;
      try {
        await work();
      } catch (error) {
        this.failed = true;
        this.onFailure(error);
      }
    });
    this.tail = run.finally(() => {
      this.pending--;
    });
    return this.tail;
  }

  /** Resolves when everything enqueued so far has run (or been skipped after a failure). */
  drain(): Promise<void> {
    return this.tail;
  }
}
