/**
 * Seeded message and crash faults for the memory backend (the simulator):
 * drops (repaired by the outbox's re-sends), duplicates, delays, failed sends,
 * and crashes of a partition just before or after a commit.
 */
export function memoryFaults(seed: number, options: { crashes?: number } = {}) {
  return {
    kind: "memory" as const,
    faults: {
      seed,
      dropRate: 0.02,
      duplicateRate: 0.03,
      delayRate: 0.05,
      maxDelayMs: 15,
      failSendRate: 0.02,
      crashBeforeCommitRate: 0.004,
      crashAfterCommitRate: 0.004,
      maxCrashes: options.crashes ?? 12,
    },
  };
}
