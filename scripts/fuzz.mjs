#!/usr/bin/env node
// A long differential fuzz run of the compiler: test/compiler/fuzz.test.ts with many
// more cases and a fresh seed. The cases run in chunks of CHUNK, each in its own
// process with its own seed (seed, seed + 1, ...): one process for all of them would
// keep every compiled module loaded and run out of memory. A failing chunk prints
// the command that replays it alone.
// Usage: npm run fuzz   (NWC_FUZZ_CASES=<n>, default 10000; NWC_FUZZ_SEED=<seed>, default random)
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const seed = Number(process.env.NWC_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 30));
// 25 times npm test's 400: long enough to meet rare shapes, short enough for a coffee on two cores.
const cases = Number(process.env.NWC_FUZZ_CASES ?? 10_000);
const CHUNK = 500;
console.log(`nwc fuzz: seed ${seed}, ${cases} programs in chunks of ${CHUNK} (replay: NWC_FUZZ_SEED=${seed} NWC_FUZZ_CASES=${cases} npm run fuzz)`);
for (let done = 0, chunk = 0; done < cases; done += CHUNK, chunk++) {
  const n = Math.min(CHUNK, cases - done);
  const chunkSeed = seed + chunk;
  const r = spawnSync(process.execPath, ["--conditions=source", "--import", "tsx", "test/compiler/fuzz.test.ts"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NWC_FUZZ_SEED: String(chunkSeed), NWC_FUZZ_CASES: String(n) },
  });
  if (r.status !== 0) {
    console.error(`nwc fuzz: chunk ${chunk} failed; replay it with NWC_FUZZ_SEED=${chunkSeed} NWC_FUZZ_CASES=${n} npm test -- compiler/fuzz`);
    process.exit(r.status ?? 1);
  }
}
console.log(`nwc fuzz: ${cases} programs, no difference between plain and compiled runs`);
