/**
 * Message `lockGranted` at the holder's partition (docs/entities.md 2.3 step
 * 3): wake the machine if it waits for this grant, else give the locks back.
 * Logic: ../on-lock-granted.ts.
 */
import { encode } from "../../../codec.ts";
import { deliverWake } from "../../lifecycle.ts";
import type { MessageHandler } from "../../registry.ts";
import { instanceKey } from "../../state/instance.ts";
import { holderLocks, sendAll, storeHolderLocks } from "../holder-binding.ts";
import type { LockGrantedMessage } from "../lock-messages.ts";
import { onLockGranted } from "../on-lock-granted.ts";

export const lockGranted: MessageHandler<LockGrantedMessage & { [field: string]: unknown }> = {
  keys: (m) => [instanceKey(m.holder)],
  apply(m, batch) {
    const rec = batch.instance(m.holder);
    const running = rec !== undefined && rec.frame !== null;
    const outcome = onLockGranted(rec ? holderLocks(rec) : undefined, m, running);
    if (outcome.kind === "giveBack") {
      sendAll(batch, outcome.releases);
    } else {
      const delivered = deliverWake(batch, rec, rec!.execution, outcome.wake.taskId, { ok: true, value: encode(outcome.wake.result.ok ? outcome.wake.result.value : null) }, { kind: "lock" });
      if (!delivered) throw new Error(`lockGranted ${m.requestId}: a running holder refused the wake`);
    }
    if (rec) storeHolderLocks(batch, rec);
  },
};
