/**
 * `handlers.timer`, run by an EventBridge schedule: puts one unsequenced
 * `timerTick` record on every partition's shard. A partition only runs when
 * records arrive; the tick makes it run a batch, and every batch fires the
 * timers that are due. Invariant: the tick carries no state and changes
 * nothing by itself, so a lost, late or doubled tick is harmless.
 */
import type { Channels, Envelope } from "../backends/types.ts";
import { TIMER_TICK_KIND } from "./processor.ts";

export const TIMER_SENDER = "timer";

export async function tickAll(channels: Channels): Promise<number> {
  const envelopes: Envelope[] = [];
  for (let to = 0; to < channels.partitionCount; to++) envelopes.push({ from: TIMER_SENDER, to, seq: 0, body: { kind: TIMER_TICK_KIND } });
  await channels.send(envelopes);
  return envelopes.length;
}
