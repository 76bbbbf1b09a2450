/**
 * Local `resumeSuspended`, queued for every `susp:` marker when a partition
 * starts: an instance that waited for a host with its machine (Pending: no
 * orchestration of its name; suspended: its version missing) is begun or
 * stepped if this host has the machine now, instead of waiting for a message
 * to reach it; the step loads a stored version this host's app lacks. If the
 * host cannot load it, nothing more changes (the marker stays for the next
 * start-up; no retry loop).
 */
import type { ResumeSuspendedEvent } from "../messages.ts";
import type { MessageHandler } from "../registry.ts";
import { suspendedKey } from "../markers.ts";
import { instanceKey } from "../state/instance.ts";
import { beginPending } from "./start-instance.ts";

export const resumeSuspended: MessageHandler<ResumeSuspendedEvent> = {
  keys: (m) => [instanceKey(m.instanceId)],
  apply(m, batch) {
    const rec = batch.instance(m.instanceId);
    if (!rec || rec.suspended === undefined) {
      // Stale marker (the instance resumed or ended in a batch whose marker deletion this one follows): drop it.
      if (batch.objects.get(suspendedKey(m.instanceId)) !== undefined) batch.objects.delete(suspendedKey(m.instanceId));
      return;
    }
    if (rec.status === "Pending" && rec.frame === null) beginPending(batch, rec);
    // The step loads a stored version the app lacks; one already found unloadable stays Suspended (no retry loop).
    else if (rec.frame !== null && !(rec.status === "Suspended" && "unavailable" in batch.app.lookup(rec.name, rec.version))) batch.scheduleStep(rec.instanceId);
  },
};
