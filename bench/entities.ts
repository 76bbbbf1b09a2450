/**
 * Entity benchmarks. Run: node --conditions=source --import tsx bench/entities.ts [--quick]
 *
 * 1. Bank: locked two-account transfers per second (the `transfer` of
 *    examples/bank.ts as a hand-written machine issuing the same commands,
 *    test/entities/gen-app.ts), accounts spread over the partitions, against
 *    a baseline measured in the same run: the same transfer without the lock
 *    (two plain calls). The ratio is the cost of the lock protocol (request,
 *    forward, grant, release).
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

async function benchBank(): Promise<void> {
  const accounts = 100;
  const transfers = quick ? 300 : 1000;
  const base: RunResult[] = [], locked: RunResult[] = [], compiled: RunResult[] = [];
  const bank = (await compileModules(["../../examples/bank.ts"])).get("bank.ts");
  for (let r = 0; r < REPEATS; r++) {
    const random = rng(1000 + r);
    const keys = Array.from({ length: accounts }, (_, i) => `acct-${i}`);
    const pick = () => keys[Math.floor(random() * keys.length)];
    const pairs = Array.from({ length: transfers }, () => {
      const from = pick();
      let to = pick();
      while (to === from) to = pick();
      return { from, to, amount: 1 + Math.floor(random() * 10) };
    });
    // A fresh host per workload, so no workload runs on a state the others grew.
    for (const [orch, out] of [[unlockedTransfer, base], [g.genTransfer, locked], [bank.transfer, compiled]] as const) {
      await withHost([...g.genApp, unlockedTransfer, bank.transfer], async (client) => {
        await client.wait(await client.start(g.genOpen, { keys, amount: 1000 }, { instanceId: `open-${r}` }), { timeoutMs: STUCK_AFTER_MS });
        out.push(await drive(client, pairs.map((p) => ({ orch, input: p })), `xfer-${r}`));
      });
    }
  }
  const b = median(base.map((x) => x.opsPerSec)), l = median(locked.map((x) => x.opsPerSec));
  table(`Bank: ${transfers} transfers, ${accounts} accounts, ${PARTITIONS} partitions, ${CONCURRENCY} in flight, median of ${REPEATS}`,
    ["workload", "transfers/s", "p50 ms", "p99 ms", "vs baseline", "stuck"], [
      ["unlocked transfer (baseline)", b, median(base.map((x) => x.p50Ms)), median(base.map((x) => x.p99Ms)), 1, base.reduce((a, x) => a + x.stuck, 0)],
      ["locked transfer", l, median(locked.map((x) => x.p50Ms)), median(locked.map((x) => x.p99Ms)), l / b, locked.reduce((a, x) => a + x.stuck, 0)],
      ["locked transfer, compiled examples/bank.ts", median(compiled.map((x) => x.opsPerSec)), median(compiled.map((x) => x.p50Ms)), median(compiled.map((x) => x.p99Ms)),
        median(compiled.map((x) => x.opsPerSec)) / b, compiled.reduce((a, x) => a + x.stuck, 0)],
    ]);
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
await benchYcsbt();
process.exit(0);
