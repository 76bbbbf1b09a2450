/**
 * Entity benchmarks. Run: node --conditions=source --import tsx bench/entities.ts [--quick] [--bank]
 * (`--bank`: the bank table only).
 *
 * 1. Bank: locked two-account transfers per second, the compiled `transfer`
 *    of examples/bank.ts and a hand-written machine issuing the same commands
 *    in the same steps (test/entities/gen-app.ts; test/entities/transfer-cost.test.ts
 *    checks they match), accounts spread over the partitions, against a
 *    baseline measured in the same run: the same transfer without the lock
 *    (two plain calls). "vs baseline" is the cost of the lock protocol
 *    (request, forward, grant, release); "vs hand-written" the cost of
 *    compiled code over a hand-written machine (steps and frames); steps and
 *    commands per transfer are counted on a traced run.
 * 2. YCSB+T (de Heus et al., DEBS 2021): stage 1 inserts N keys (100 or 5,000);
 *    stage 2 runs reads, writes and transfers with a transfer share of 0.25,
 *    0.5 and 0.75 over uniformly chosen keys, transactional (`ctx.transaction`)
 *    and not (two plain calls). Reported: throughput, p50/p99 latency, the
 *    transactional/plain throughput ratio, deadlocks (operations that never
 *    finished: must be 0) and whether the sum of all keys was conserved.
 *
 * Every figure is the median of REPEATS runs; tables go to stdout.
 */
import { performance } from "node:perf_hooks";

import { startHost } from "../runtime/host.ts";
import * as g from "../test/entities/gen-app.ts";
import * as y from "./ycsbt-app.ts";
import { genOrchestration, value } from "../test/entities/gen-machine.ts";
import { compileModules } from "../test/entities/harness.ts";

const quick = process.argv.includes("--quick");
/** Medians over 3 runs: enough to drop one outlier on a shared 2-core machine, short enough to finish in minutes. */
const REPEATS = quick ? 1 : 3;
/** The bank's rows are compared with each other: 5 repeats (a few seconds each) so one noisy run cannot move the median. */
const REPEATS_BANK = quick ? 1 : 5;
/** Partitions: several, so locks cross partitions as in a real deployment. */
const PARTITIONS = 4;
/** Operations kept in flight by the driver: enough to fill batches, bounded so latency stays meaningful. */
const CONCURRENCY = 64;
/** An operation not finished after this long is counted as stuck (a deadlock would show here). */
const STUCK_AFTER_MS = 60_000;
/** Reads of the final sum: the commits of the last transactions land within a few batches. */
const SUM_ATTEMPTS = 5;

type Op = { orch: any; input: unknown };

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor((s.length - 1) / 2)];
};
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(p * s.length))];
};

interface RunResult {
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  stuck: number;
  failed: number;
}

/** Runs `ops` with CONCURRENCY in flight; latency is start-to-completion of each instance. */
async function drive(client: any, ops: Op[], prefix: string): Promise<RunResult> {
  const latencies: number[] = [];
  let next = 0, stuck = 0, failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, ops.length) }, async () => {
      while (next < ops.length) {
        const i = next++;
        const t0 = performance.now();
        const id = await client.start(ops[i].orch, ops[i].input, { instanceId: `${prefix}-${i}` });
        const status = await client.wait(id, { timeoutMs: STUCK_AFTER_MS });
        if (status.status === "Running" || status.status === "Pending") stuck++;
        else if (status.status !== "Completed") failed++;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { opsPerSec: ops.length / seconds, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), stuck, failed };
}

function table(title: string, header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === "number" ? (Number.isInteger(c) ? String(c) : c.toFixed(2)) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  console.log(`\n${title}`);
  for (const [n, r] of cells.entries()) {
    console.log(r.map((c, i) => c.padStart(widths[i])).join("  "));
    if (n === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
  }
}

async function withHost<T>(app: unknown[], fn: (client: any) => Promise<T>): Promise<T> {
  const host = await startHost({ app, backend: "memory", partitions: PARTITIONS, log: () => undefined });
  try {
    return await fn(host.client);
  } finally {
    await host.stop();
  }
}

/** Transfers traced (every step recorded) to count steps and commands per transfer; outside the timed runs, since tracing costs. */
const TRACED_TRANSFERS = 100;

async function benchBank(): Promise<void> {
  const accounts = 100;
  const transfers = quick ? 300 : 1000;
  const bank = (await compileModules(["../../examples/bank.ts"])).get("bank.ts");
  const workloads = [
    { label: "unlocked transfer (baseline)", orch: unlockedTransfer },
    { label: "locked transfer, hand-written machine", orch: g.genTransfer },
    { label: "locked transfer, compiled examples/bank.ts", orch: bank.transfer },
  ];
  const runs: RunResult[][] = workloads.map(() => []);
  const app = [...g.genApp, unlockedTransfer, bank.transfer];
  const keys = Array.from({ length: accounts }, (_, i) => `acct-${i}`);
  const transfersOf = (seed: number, n: number) => {
    const random = rng(seed);
    const pick = () => keys[Math.floor(random() * keys.length)];
    return Array.from({ length: n }, () => {
      const from = pick();
      let to = pick();
      while (to === from) to = pick();
      return { from, to, amount: 1 + Math.floor(random() * 10) };
    });
  };
  const open = async (client: any, id: string) =>
    client.wait(await client.start(g.genOpen, { keys, amount: 1000 }, { instanceId: id }), { timeoutMs: STUCK_AFTER_MS });
  for (let r = 0; r < REPEATS_BANK; r++) {
    const pairs = transfersOf(1000 + r, transfers);
    // A fresh host per workload, so no workload runs on a state the others grew; the order
    // rotates per repeat, so none always runs on the warmest (or most fragmented) process.
    for (let j = 0; j < workloads.length; j++) {
      const w = (j + r) % workloads.length;
      await withHost(app, async (client) => {
        await open(client, `open-${r}`);
        runs[w].push(await drive(client, pairs.map((p) => ({ orch: workloads[w].orch, input: p })), `xfer-${r}`));
      });
    }
  }
  // Work per transfer, from a traced run of each workload: machine steps and the commands they issued.
  const work = [];
  for (const { orch } of workloads) {
    let steps = 0, commands = 0;
    const host = await startHost({ app, backend: "memory", partitions: PARTITIONS, log: () => undefined, onStep: (t) => {
      if (!t.instanceId.startsWith("trace-")) return;
      steps++;
      commands += t.commands.length;
    } });
    try {
      await open(host.client, "open-trace");
      const result = await drive(host.client, transfersOf(99, TRACED_TRANSFERS).map((p) => ({ orch, input: p })), "trace");
      if (result.stuck + result.failed > 0) throw new Error(`traced transfers: ${result.stuck} stuck, ${result.failed} failed`);
    } finally {
      await host.stop();
    }
    work.push({ steps: steps / TRACED_TRANSFERS, commands: commands / TRACED_TRANSFERS });
  }
  const tput = runs.map((xs) => median(xs.map((x) => x.opsPerSec)));
  table(`Bank: ${transfers} transfers, ${accounts} accounts, ${PARTITIONS} partitions, ${CONCURRENCY} in flight, median of ${REPEATS_BANK}; ` +
    `steps and commands per transfer from ${TRACED_TRANSFERS} traced transfers`,
    ["workload", "transfers/s", "p50 ms", "p99 ms", "vs baseline", "vs hand-written", "steps/transfer", "commands/transfer", "stuck/failed"],
    workloads.map((w, i) => [
      w.label, tput[i], median(runs[i].map((x) => x.p50Ms)), median(runs[i].map((x) => x.p99Ms)),
      tput[i] / tput[0], i === 0 ? "-" : tput[i] / tput[1], work[i].steps, work[i].commands,
      runs[i].reduce((a, x) => a + x.stuck + x.failed, 0),
    ]));
  // The ratio of each repeat (same repeat, neighbouring hosts): its spread shows how far the median can be trusted.
  console.log(`compiled / hand-written per repeat: ${runs[2].map((x, i) => (x.opsPerSec / runs[1][i].opsPerSec).toFixed(2)).join(", ")}`);
}

/** The same transfer without a lock: read, then two plain calls (no isolation). */
const unlockedTransfer = genOrchestration("unlockedTransfer", function* (t: { from: string; to: string; amount: number }) {
  const A = (k: string) => g.account.id(k);
  const v = value((yield [{ kind: "call", entity: A(t.from), op: "get" }])[0]);
  if (v < t.amount) return false;
  (yield [{ kind: "call", entity: A(t.from), op: "add", input: -t.amount }, { kind: "call", entity: A(t.to), op: "add", input: t.amount }]).forEach(value);
  return true;
});

async function benchYcsbt(): Promise<void> {
  const rows: (string | number)[][] = [];
  const operations = quick ? 300 : 1000;
  const INITIAL = 100;
  for (const keyCount of [100, 5000]) {
    for (const share of [0.25, 0.5, 0.75]) {
      const results: Record<"tx" | "plain", RunResult[]> = { tx: [], plain: [] };
      const conserved = { tx: true, plain: true };
      for (let r = 0; r < REPEATS; r++) {
        for (const mode of ["plain", "tx"] as const) {
          await withHost(y.app, async (client) => {
            const keys = Array.from({ length: keyCount }, (_, i) => `k${i}`);
            // Stage 1: inserts, in chunks (one orchestration per chunk).
            const CHUNK = 100;
            const chunks: Op[] = [];
            for (let i = 0; i < keys.length; i += CHUNK) chunks.push({ orch: y.ycsbInsert, input: { keys: keys.slice(i, i + CHUNK), initial: INITIAL } });
            await drive(client, chunks, `load-${keyCount}-${mode}-${r}`);
            // Stage 2.
            const random = rng(7 + r);
            const pick = () => keys[Math.floor(random() * keys.length)];
            const ops: Op[] = Array.from({ length: operations }, () => {
              const x = random();
              if (x < share) {
                const from = pick();
                let to = pick();
                while (to === from) to = pick();
                return { orch: mode === "tx" ? y.ycsbTransferTx : y.ycsbTransferPlain, input: { from, to } };
              }
              return { orch: x < share + (1 - share) / 2 ? y.ycsbRead : y.ycsbWrite, input: pick() };
            });
            results[mode].push(await drive(client, ops, `run-${keyCount}-${share}-${mode}-${r}`));
            // The last transactions' commits reach their entities just after the orchestrations return:
            // read the sum until it is stable (or right) a few times over.
            let sum = NaN;
            for (let attempt = 0; attempt < SUM_ATTEMPTS; attempt++) {
              const sumId = await client.start(y.ycsbSum, keys, { instanceId: `sum-${keyCount}-${share}-${mode}-${r}-${attempt}` });
              const s = await client.wait(sumId, { timeoutMs: STUCK_AFTER_MS });
              if (s.output === sum || s.output === keyCount * INITIAL) {
                sum = s.output;
                break;
              }
              sum = s.output;
              await new Promise((res) => setTimeout(res, 100));
            }
            if (sum !== keyCount * INITIAL) conserved[mode] = false;
          });
        }
      }
      const tx = median(results.tx.map((x) => x.opsPerSec)), plain = median(results.plain.map((x) => x.opsPerSec));
      rows.push([keyCount, share, plain, tx, tx / plain,
        median(results.tx.map((x) => x.p50Ms)), median(results.tx.map((x) => x.p99Ms)),
        median(results.plain.map((x) => x.p50Ms)), median(results.plain.map((x) => x.p99Ms)),
        results.tx.reduce((a, x) => a + x.stuck, 0), conserved.tx ? "yes" : "NO", conserved.plain ? "yes" : "no"]);
    }
  }
  table(`YCSB+T: ${operations} operations per run, uniform keys, ${PARTITIONS} partitions, ${CONCURRENCY} in flight, median of ${REPEATS}`,
    ["keys", "transfers", "plain ops/s", "tx ops/s", "tx/plain", "tx p50 ms", "tx p99 ms", "plain p50", "plain p99", "deadlocks", "tx sum kept", "plain sum kept"], rows);
}

await benchBank();
if (!process.argv.includes("--bank")) await benchYcsbt();
process.exit(0);
