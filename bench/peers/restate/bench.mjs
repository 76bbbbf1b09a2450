// Hello3 and Hello5 through Restate's ingress, as nwc's bench/hello.ts runs
// them: Hello3 one call at a time, request to result, p50/p99 after a
// warm-up; Hello5 N calls sent at once, completed per second: one untimed
// round, then the median of ROUNDS timed ones.
// Usage: node bench.mjs RUNS N WARMUP ROUNDS (INGRESS set by run.sh).
import { performance } from "node:perf_hooks";

const [runs, n, warmup, rounds = 3] = process.argv.slice(2).map(Number);
const call = async (handler) => {
  const r = await fetch(`${process.env.INGRESS}/hello/${handler}`, { method: "POST", headers: { "content-type": "application/json" }, body: "null" });
  if (!r.ok) throw new Error(`${handler}: ${r.status} ${await r.text()}`);
  return r.json();
};

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const samples = [];
for (let i = 0; i < runs + warmup; i++) {
  const t = performance.now();
  await call("hello3");
  if (i >= warmup) samples.push(performance.now() - t);
}
const hello5Round = async () => {
  const t0 = performance.now();
  await Promise.all(Array.from({ length: n }, () => call("hello5")));
  return n / ((performance.now() - t0) / 1000);
};
await hello5Round(); // untimed: warm-up
const perSecond = [];
for (let r = 0; r < rounds; r++) perSecond.push(await hello5Round());

console.log(JSON.stringify({ peer: "restate", version: "Restate 1.7.12, SDK 1.17.2", hello3_p50_ms: pct(samples, 50), hello3_p99_ms: pct(samples, 99), hello5_orch_per_s: pct(perSecond, 50), hello5_rounds: perSecond, runs, n }));
