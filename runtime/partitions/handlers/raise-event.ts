/**
 * `raiseEvent`: satisfy the oldest `waitForEvent` of that name, or buffer the
 * data until one asks (events raised before the wait are not lost).
 * Invariant: buffered events per name are bounded by MAX_BUFFERED_EVENTS.
 */
import { deliverWake } from "../lifecycle.ts";
import type { RaiseEventMessage } from "../messages.ts";
import type { MessageHandler } from "../registry.ts";
import { instanceKey } from "../state/instance.ts";

/** Events buffered per name and instance: beyond this nobody is plausibly going to wait for them all; further ones are dropped with a warning. */
export const MAX_BUFFERED_EVENTS = 1000;

export const raiseEvent: MessageHandler<RaiseEventMessage> = {
  keys: (m) => [instanceKey(m.instanceId)],
  apply(m, batch) {
    const rec = batch.instance(m.instanceId);
    if (!rec || rec.frame === null) return;
    const waiting = rec.waiting[m.name];
    if (waiting && waiting.length > 0) {
      const taskId = waiting.shift()!;
      if (waiting.length === 0) delete rec.waiting[m.name];
      deliverWake(batch, rec, rec.execution, taskId, { ok: true, value: m.data }, { kind: "event", name: m.name });
      return;
    }
    const buffered = (rec.buffered[m.name] ??= []);
    if (buffered.length >= MAX_BUFFERED_EVENTS) {
      batch.env.log("warn", `instance ${m.instanceId}: event "${m.name}" dropped, ${MAX_BUFFERED_EVENTS} are already buffered`);
      return;
    }
    buffered.push(m.data);
    batch.touchInstance(rec, false);
    // A suspended instance (its version was missing) retries on its next message: this host may have the version now.
    if (rec.suspended && rec.inbox.length > 0) batch.scheduleStep(rec.instanceId);
  },
};
