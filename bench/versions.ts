/**
 * What keeping versions costs. Run: node --conditions=source --import tsx bench/versions.ts [--quick]
 *
 * 1. Host start on a fresh memory backend with the example apps (file-compiled
 *    orchestrations): the versions stored at start (bundled once per process,
 *    then a put per version) against the same start with no version store
 *    (the baseline, measured in the same run, interleaved).
 * 2. Making the stored code of one version from scratch (esbuild, compile
 *    cache warm) and loading it back into a machine (what a host does once
 *    when an instance needs a version its app lacks).
 *
 * Medians of repeated runs; the machine is shared and noisy, so read ratios.
 */
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { loadAppFile } from "../runtime/app-loader.ts";
import { createMemoryBackend } from "../runtime/backends/memory/index.ts";
import type { Backend } from "../runtime/backends/types.ts";
import { startHost } from "../runtime/host.ts";
import type { Machine } from "../runtime/machine.ts";
import { bundleModule } from "../runtime/versions/bundle.ts";
import { hostModules } from "../runtime/versions/host-modules.ts";
import { loadStoredMachine } from "../runtime/versions/load.ts";

const quick = process.argv.includes("--quick");
/** Repeats per measurement: enough for a stable median on a shared two-core machine. */
const RUNS = quick ? 5 : 21;
const EXAMPLES = ["hello-sequence", "human-approval", "trip-saga", "fan-out-fan-in", "monitor"];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => x.toFixed(2);

const files = EXAMPLES.map((e) => fileURLToPath(new URL(`../examples/${e}.ts`, import.meta.url)));
const app = (await Promise.all(files.map(loadAppFile))).flatMap((f) => f.definitions);
const machines = app.filter((d) => (d as { kind?: string }).kind === "orchestration").map((d) => (d as { machine: Machine }).machine);

async function timedStart(withVersions: boolean): Promise<number> {
  const memory = createMemoryBackend({ partitions: 4 });
  const backend: Backend = withVersions ? memory : { kind: memory.kind, channels: memory.channels, store: memory.store, close: () => memory.close() };
  const t0 = performance.now();
  const host = await startHost({ app, backend, partitions: 4 });
  const took = performance.now() - t0;
  await host.stop();
  await memory.close();
  return took;
}

await timedStart(true); // the process's one-time bundling, reported in table 2
const withStore: number[] = [];
const without: number[] = [];
for (let i = 0; i < RUNS; i++) {
  without.push(await timedStart(false));
  withStore.push(await timedStart(true));
}
console.log(`\n1. host start, memory backend, ${machines.length} orchestrations from ${files.length} files (median of ${RUNS}, ms)`);
console.log(`no version store (baseline)  ${ms(median(without))}`);
console.log(`versions stored at start     ${ms(median(withStore))}`);
console.log(`ratio                        ${(median(withStore) / median(without)).toFixed(2)}x`);

const approval = machines.find((m) => m.name === "approvalWorkflow")!;
const make: number[] = [];
const load: number[] = [];
let bytes = 0;
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  const code = await bundleModule(files[1]!);
  const t1 = performance.now();
  loadStoredMachine(code, approval.name, approval.version, hostModules);
  const t2 = performance.now();
  make.push(t1 - t0);
  load.push(t2 - t1);
  bytes = code.length;
}
console.log(`\n2. one version (${approval.name}, ${bytes} bytes of stored code; median of ${RUNS}, ms)`);
console.log(`make stored code (esbuild)   ${ms(median(make))}`);
console.log(`load it into a machine       ${ms(median(load))}`);
