/**
 * The aws backend against its emulators (DynamoDB Local + kinesis-mock, real
 * SDK v3 clients). Run: node --conditions=source --import tsx bench/aws.ts [--quick]
 *
 * 1. Requests per orchestration: Hello5 (helloSequence over 5 cities: 5
 *    activities) run one at a time; every SDK request counted with client
 *    middleware (PutRecords, GetRecords, TransactWriteItems, reads, ...).
 *    GetRecords is a poll (one per shard per 200 ms whatever the load), so it
 *    is also shown per second.
 * 2. Latency: p50/p95 of Hello5 start-to-completion, sequential.
 * 3. Throughput: Hello5 orchestrations per second with many in flight, and
 *    the requests per orchestration under load (group commit shares them).
 *
 * Emulators are not AWS: figures are relative (compare runs, backends and
 * batch settings), never a forecast of AWS latency. Tables go to stdout.
 */
import { performance } from "node:perf_hooks";
import { startAwsEmulators } from "../runtime/testing.ts";
import { createAwsBackend } from "../runtime/backends/aws/index.ts";
import { startHost } from "../runtime/host.ts";
import { app, helloSequence } from "../test/runtime/machines/apps.ts";

const quick = process.argv.includes("--quick");
/** Partitions: several, so an orchestration's messages cross shards as in a deployment. */
const PARTITIONS = 4;
/** Sequential runs for latency and per-orchestration requests: enough for a stable p95 in about a minute. */
const SEQUENTIAL = quick ? 10 : 40;
/** Orchestrations for the throughput run, all started at once. */
const CONCURRENT = quick ? 50 : 200;
const CITIES = ["Tokyo", "Seattle", "London", "Paris", "Rome"];

type Counts = Map<string, number>;

function countInto(client: { middlewareStack: { add: (mw: any, o: any) => void } }, counts: Counts): void {
  client.middlewareStack.add((next: any, context: any) => async (args: any) => {
    const name = String(context.commandName).replace(/Command$/, "");
    counts.set(name, (counts.get(name) ?? 0) + 1);
    return next(args);
  }, { step: "initialize", name: `benchCount${Math.random()}` });
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const snapshot = (c: Counts) => new Map(c);
const diff = (after: Counts, before: Counts) => new Map([...after].map(([k, v]) => [k, v - (before.get(k) ?? 0)]));

function table(title: string, rows: (string | number)[][]): void {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  console.log(`\n${title}`);
  for (const [i, r] of rows.entries()) {
    console.log(r.map((c, j) => (typeof c === "number" ? String(c).padStart(widths[j]) : String(c).padEnd(widths[j]))).join("  "));
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
  }
}

const emu = await startAwsEmulators({ partitions: PARTITIONS });
try {
  const backend = await createAwsBackend(emu.backend, PARTITIONS);
  const counts: Counts = new Map();
  countInto(backend.clients.kinesis, counts);
  countInto(backend.clients.dynamodb, counts);
  const host = await startHost({ app, backend, partitions: PARTITIONS, log: () => undefined });
  await host.ready();
  // Warm-up: connections, JIT, first lease renewals.
  await host.client.wait(await host.client.start(helloSequence, CITIES), { timeoutMs: 30_000 });

  // 1 + 2: sequential.
  const latencies: number[] = [];
  const before = snapshot(counts);
  const t0 = performance.now();
  for (let i = 0; i < SEQUENTIAL; i++) {
    const started = performance.now();
    const id = await host.client.start(helloSequence, CITIES);
    const s = await host.client.wait(id, { timeoutMs: 30_000 });
    if (s.status !== "Completed") throw new Error(`Hello5 ended ${s.status}`);
    latencies.push(performance.now() - started);
  }
  const seqSeconds = (performance.now() - t0) / 1000;
  const seq = diff(counts, before);

  // 3: concurrent.
  const before2 = snapshot(counts);
  const t1 = performance.now();
  const ids = await Promise.all(Array.from({ length: CONCURRENT }, () => host.client.start(helloSequence, CITIES)));
  await Promise.all(ids.map((id) => host.client.wait(id, { timeoutMs: 120_000 })));
  const concSeconds = (performance.now() - t1) / 1000;
  const conc = diff(counts, before2);
  await host.stop();
  await backend.close();

  const names = [...new Set([...seq.keys(), ...conc.keys()])].sort();
  table(
    `Requests per Hello5 orchestration (${PARTITIONS} partitions; emulators)`,
    [
      ["request", `sequential (${SEQUENTIAL})`, "sequential per s", `concurrent (${CONCURRENT})`],
      ...names.map((n) => [n, +((seq.get(n) ?? 0) / SEQUENTIAL).toFixed(2), +((seq.get(n) ?? 0) / seqSeconds).toFixed(1), +((conc.get(n) ?? 0) / CONCURRENT).toFixed(2)]),
      ["total", +([...seq.values()].reduce((a, b) => a + b, 0) / SEQUENTIAL).toFixed(2), +([...seq.values()].reduce((a, b) => a + b, 0) / seqSeconds).toFixed(1), +([...conc.values()].reduce((a, b) => a + b, 0) / CONCURRENT).toFixed(2)],
    ],
  );
  table("Hello5 latency and throughput (emulators: relative figures only)", [
    ["measure", "value"],
    ["sequential p50 latency (ms)", Math.round(pct(latencies, 50))],
    ["sequential p95 latency (ms)", Math.round(pct(latencies, 95))],
    ["sequential orchestrations/s", +(SEQUENTIAL / seqSeconds).toFixed(1)],
    [`concurrent orchestrations/s (${CONCURRENT} in flight)`, +(CONCURRENT / concSeconds).toFixed(1)],
    [`concurrent activities/s`, +((CONCURRENT * CITIES.length) / concSeconds).toFixed(1)],
  ]);
} finally {
  await emu.stop();
}
