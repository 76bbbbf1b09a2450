#!/usr/bin/env node
// A long differential fuzz run of the compiler (test/compiler/fuzz.test.ts with more
// cases and a fresh seed each time). The seed is printed; replay a failure with
//   NWC_FUZZ_SEED=<seed> npm run fuzz
// Usage: npm run fuzz   (NWC_FUZZ_CASES=<n>, default 10000; NWC_FUZZ_SEED=<seed>, default random)
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const seed = process.env.NWC_FUZZ_SEED ?? String(Math.floor(Math.random() * 2 ** 31));
// 25 times npm test's 400: long enough to meet rare shapes, short enough for a coffee on two cores.
const cases = process.env.NWC_FUZZ_CASES ?? "10000";
console.log(`nwc fuzz: seed ${seed}, ${cases} programs (replay: NWC_FUZZ_SEED=${seed} NWC_FUZZ_CASES=${cases} npm run fuzz)`);
const r = spawnSync(process.execPath, ["--conditions=source", "--import", "tsx", "test/compiler/fuzz.test.ts"], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, NWC_FUZZ_SEED: seed, NWC_FUZZ_CASES: cases },
});
process.exit(r.status ?? 1);
