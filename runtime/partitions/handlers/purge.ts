/**
 * `purgeInstance`: forget a finished instance: its record, its status row
 * (the commit lists it in `statusDeletes`), its history steps and any timer or activity object
 * of it still pending (a timer armed before it finished, say).
 *
 * Invariant: only a Completed, Failed or Terminated instance is purged; the
 * client refuses the others before sending, and this re-checks, since the
 * message is applied later than the client looked. Committed like any other
 * change, so a purge is applied exactly once and survives a crash.
 */
import type { PurgeInstanceMessage } from "../messages.ts";
import type { MessageHandler } from "../registry.ts";
import { ACTIVITY_PREFIX } from "../state/activities.ts";
import { deleteSteps } from "../state/history.ts";
import { instanceKey, isFinished } from "../state/instance.ts";
import { instanceOfTaskKey } from "../state/task-key.ts";
import { TIMER_PREFIX } from "../state/timers.ts";

export const purgeInstance: MessageHandler<PurgeInstanceMessage> = {
  keys: (m) => [instanceKey(m.instanceId)],
  apply(m, batch) {
    const rec = batch.instance(m.instanceId);
    if (!rec) return;
    if (!isFinished(rec.status)) {
      batch.env.log("warn", `instance ${m.instanceId}: purge refused, it is ${rec.status} (only finished instances are purged)`);
      return;
    }
    for (const prefix of [TIMER_PREFIX, ACTIVITY_PREFIX]) {
      for (const key of batch.objects.keysWithPrefix(prefix)) if (instanceOfTaskKey(key) === m.instanceId) batch.objects.delete(key);
    }
    deleteSteps(batch.objects, rec);
    batch.objects.delete(instanceKey(m.instanceId));
    // buildCommit turns a changed instance that no longer exists into a status delete.
    batch.statusChanged.add(m.instanceId);
  },
};
