/**
 * Handler of `lockGranted` at the holder's partition (docs/entities.md 2.3,
 * step 3): the awaited grant wakes the machine; any other grant (the instance
 * ended, continued as new, or never asked) is given back at once.
 *
 * Invariant: every grant either becomes the instance's held lock or produces
 * releases for its whole set in the same commit: no lock is left behind.
 */
import type { Wake } from "../../machine.ts";
import type { LockGrantedMessage, LockReleaseMessage } from "./lock-messages.ts";
import { releaseMessages, type HolderLockRecord } from "./holder.ts";

export type GrantOutcome = { kind: "wake"; wake: Wake } | { kind: "giveBack"; releases: LockReleaseMessage[] };

/** `record` is undefined when the instance is unknown or finished: the grant is given back. */
export function onLockGranted(record: HolderLockRecord | undefined, granted: LockGrantedMessage, running: boolean): GrantOutcome {
  const pending = record?.pending;
  if (!record || !running || !pending || pending.requestId !== granted.requestId) {
    return { kind: "giveBack", releases: releaseMessages(granted) };
  }
  if (pending.lockTaskId !== granted.lockTaskId) throw new Error(`lockGranted ${granted.requestId}: task id differs from the request`);
  record.pending = undefined;
  record.held = { ...pending, transactionOpen: false };
  return { kind: "wake", wake: { taskId: granted.lockTaskId, result: { ok: true, value: granted.lockSet } } };
}
