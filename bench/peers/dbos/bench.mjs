// Hello3 and Hello5 on DBOS Transact, as nwc's bench/hello.ts runs them:
// Hello3 one at a time, start to result, p50/p99 after a warm-up; Hello5 N
// workflows started at once, completed per second: one untimed round, then
// the median of ROUNDS timed ones. Each step is a DBOS step (checkpointed in
// PostgreSQL), the counterpart of an nwc activity.
// Usage: node bench.mjs RUNS N WARMUP ROUNDS (DBOS_SYSTEM_DATABASE_URL set by run.sh).
import { performance } from "node:perf_hooks";
import { DBOS } from "@dbos-inc/dbos-sdk";

const [runs, n, warmup, rounds = 3] = process.argv.slice(2).map(Number);
const greet = async (name) => `Hello ${name}!`;
const step = (name) => DBOS.runStep(() => greet(name), { name: "greet" });

const hello3 = DBOS.registerWorkflow(async () => [await step("city 0"), await step("city 1"), await step("city 2")], { name: "hello3" });
const hello5 = DBOS.registerWorkflow(async () => {
  const out = [];
  for (let i = 0; i < 5; i++) out.push(await step(`city ${i}`));
  return out;
}, { name: "hello5" });

DBOS.setConfig({ name: "peerbench", systemDatabaseUrl: process.env.DBOS_SYSTEM_DATABASE_URL });
await DBOS.launch();

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const samples = [];
for (let i = 0; i < runs + warmup; i++) {
  const t = performance.now();
  await (await DBOS.startWorkflow(hello3)()).getResult();
  if (i >= warmup) samples.push(performance.now() - t);
}
const hello5Round = async () => {
  const t0 = performance.now();
  const handles = await Promise.all(Array.from({ length: n }, () => DBOS.startWorkflow(hello5)()));
  await Promise.all(handles.map((h) => h.getResult()));
  return n / ((performance.now() - t0) / 1000);
};
await hello5Round(); // untimed: warm-up
const perSecond = [];
for (let r = 0; r < rounds; r++) perSecond.push(await hello5Round());

console.log(JSON.stringify({ peer: "dbos", version: `DBOS 5.3.0, PostgreSQL ${process.env.PG_VERSION}`, hello3_p50_ms: pct(samples, 50), hello3_p99_ms: pct(samples, 99), hello5_orch_per_s: pct(perSecond, 50), hello5_rounds: perSecond, runs, n }));
await DBOS.shutdown();
process.exit(0);
