/**
 * Fault injection for the memory backend (the simulator). Every decision is
 * drawn from one seeded Rng, so a seed replays the same faults.
 *
 * Channel faults respect the Channels contract where it promises something:
 * `failSendRate` makes send reject after storing a random subset (the
 * sender re-sends); `duplicateRate` stores an envelope twice; `delayRate`
 * stores it later (so it overtakes nothing it should not: receivers restore
 * order); `dropRate` loses an envelope from a partition silently, which only
 * the outbox's acks and re-sends repair. Store faults simulate a crash of the
 * partition's process just before or just after a commit is written.
 */
import { Rng } from "./rng.ts";

export interface FaultOptions {
  seed: number;
  dropRate?: number;
  duplicateRate?: number;
  delayRate?: number;
  /** Upper bound of one injected delay. */
  maxDelayMs?: number;
  failSendRate?: number;
  crashBeforeCommitRate?: number;
  crashAfterCommitRate?: number;
  /** Injected crashes in total at most: the simulation must make progress. */
  maxCrashes?: number;
}

export class SimulatedCrash extends Error {
  constructor(where: string) {
    super(`simulated crash ${where}`);
    this.name = "SimulatedCrash";
  }
}

export class Faults {
  readonly rng: Rng;
  crashes = 0;
  readonly counts = { dropped: 0, duplicated: 0, delayed: 0, failedSends: 0, crashesBefore: 0, crashesAfter: 0 };

  constructor(readonly options: FaultOptions) {
    this.rng = new Rng(options.seed);
  }

  private crashAllowed(): boolean {
    return this.crashes < (this.options.maxCrashes ?? 20);
  }

  crashBeforeCommit(): boolean {
    if (this.crashAllowed() && this.rng.chance(this.options.crashBeforeCommitRate ?? 0)) {
      this.crashes++;
      this.counts.crashesBefore++;
      return true;
    }
    return false;
  }

  crashAfterCommit(): boolean {
    if (this.crashAllowed() && this.rng.chance(this.options.crashAfterCommitRate ?? 0)) {
      this.crashes++;
      this.counts.crashesAfter++;
      return true;
    }
    return false;
  }
}
