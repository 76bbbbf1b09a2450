/**
 * The `memory` backend: channels and store in this process, for tests, the
 * playground and the simulator (seeded faults, virtual clock). Nothing here
 * imports `node:`: the playground bundles it for the browser.
 */
import { realClock, type Clock } from "../../partitions/clock.ts";
import type { Backend } from "../types.ts";
import { MemoryChannels } from "./channels.ts";
import { Faults, type FaultOptions } from "./faults.ts";
import { MemoryStore } from "./store.ts";
import { MemoryVersionStore } from "../../versions/memory-store.ts";

export { MemoryChannels } from "./channels.ts";
export { MemoryStore } from "./store.ts";
export { Faults, SimulatedCrash, type FaultOptions } from "./faults.ts";
export { SimClock } from "./sim-clock.ts";
export { Rng } from "./rng.ts";

export interface MemoryBackendOptions {
  partitions?: number;
  clock?: Clock;
  faults?: FaultOptions;
}

export interface MemoryBackend extends Backend {
  readonly kind: "memory";
  readonly channels: MemoryChannels;
  readonly store: MemoryStore;
  readonly clock: Clock;
  readonly faults?: Faults;
  readonly versions: MemoryVersionStore;
}

export function createMemoryBackend(options: MemoryBackendOptions = {}): MemoryBackend {
  const partitions = options.partitions ?? 4;
  const clock = options.clock ?? realClock;
  const faults = options.faults ? new Faults(options.faults) : undefined;
  const channels = new MemoryChannels(partitions, clock, faults);
  const store = new MemoryStore(partitions, clock, faults);
  return {
    kind: "memory",
    channels,
    store,
    clock,
    faults,
    versions: new MemoryVersionStore(() => clock.now()),
    async close() {
      await channels.close();
      await store.close();
    },
  };
}
