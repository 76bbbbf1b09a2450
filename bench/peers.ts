/**
 * nwc beside its peers, one table from one run: Hello3 latency (sequential,
 * p50/p99) and Hello5 throughput (N started at once) of nwc's compiled
 * orchestrations (bench/runtime-app.ts) on the `local` backend, then of each
 * peer, installed and run by its script in bench/peers/ (DBOS on PostgreSQL,
 * Restate), with the ratios nwc / peer. A peer that cannot be installed or
 * started is a row saying why.
 * Run: npm run bench:peers -- [--quick] [--runs N] [--warmup N] [--n N] [--rounds N] [--peers dbos,restate]
 *
 * Every system runs the same counts: HELLO3_RUNS timed Hello3 after
 * HELLO3_WARMUP untimed ones, then rounds of HELLO5_N Hello5 started at
 * once: one untimed (warm-up: JIT, caches, connection pools), then
 * HELLO5_ROUNDS timed, of which the median is reported. The
 * systems run one after the other, so the load of a shared machine can differ
 * between rows: the load average before and after is printed with the table.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startHost, type Host } from "../runtime/host.ts";
import { hello3Latency, hello5Throughput, median } from "./hello.ts";
import { printTable } from "./table.ts";
import { loadWorkloads } from "./workloads.ts";

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const quick = process.argv.includes("--quick");
/** Enough samples for a p99 that is not just the maximum. */
const HELLO3_RUNS = Number(flag("--runs") ?? (quick ? 50 : 200));
/** 2,000 rather than runtime.ts's 10,000: a peer at ~100 orch/s would take minutes per row. */
const HELLO5_N = Number(flag("--n") ?? (quick ? 200 : 2_000));
/** Untimed Hello3 first, on every system: a first few hundred calls measure JIT compilers (V8's, in nwc and in both peers' SDKs) more than engines. */
const HELLO3_WARMUP = Number(flag("--warmup") ?? (quick ? 10 : 50));
/** Timed Hello5 rounds after the untimed one; the median is reported. */
const HELLO5_ROUNDS = Number(flag("--rounds") ?? (quick ? 1 : 3));
const PARTITIONS = 4;
/** Peers by folder name under bench/peers/; `--peers dbos` runs one. */
const PEERS = (flag("--peers") ?? "dbos,restate").split(",");

interface Row {
  system: string;
  version: string;
  p50?: number;
  p99?: number;
  hello5?: number;
  /** Why there are no figures. */
  error?: string;
}

async function measureNwc(): Promise<Row> {
  const { compiled } = await loadWorkloads();
  const onHost = async <T>(body: (host: Host) => Promise<T>): Promise<T> => {
    const dir = mkdtempSync(join(tmpdir(), "nwc-peers-"));
    const host = await startHost({ app: compiled.app, backend: { kind: "local", dir }, partitions: PARTITIONS, log: () => undefined });
    try {
      return await body(host);
    } finally {
      await host.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const { p50, p99 } = await onHost((host) => hello3Latency(host, compiled.hello3, HELLO3_RUNS, HELLO3_WARMUP));
  const hello5 = await onHost(async (host) => {
    await hello5Throughput(host, compiled.hello5, HELLO5_N, "warm-up");
    const rounds: number[] = [];
    for (let r = 0; r < HELLO5_ROUNDS; r++) rounds.push(await hello5Throughput(host, compiled.hello5, HELLO5_N, `round${r}`));
    return median(rounds);
  });
  return { system: "nwc", version: `compiled, local backend, ${PARTITIONS} partitions`, p50, p99, hello5 };
}

/** Runs bench/peers/<peer>/run.sh; its stderr passes through, its last line is the reason when it fails. */
function measurePeer(peer: string): Promise<Row> {
  const script = fileURLToPath(new URL(`./peers/${peer}/run.sh`, import.meta.url));
  return new Promise((resolve) => {
    const child = spawn("bash", [script, String(HELLO3_RUNS), String(HELLO5_N), String(HELLO3_WARMUP), String(HELLO5_ROUNDS)], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => {
      err += d;
      process.stderr.write(`${peer}: ${d}`);
    });
    child.on("error", (e) => resolve({ system: peer, version: "-", error: e.message }));
    child.on("close", (code) => {
      const line = out.split("\n").find((l) => l.includes('"peer"'));
      if (code === 0 && line) {
        const r = JSON.parse(line);
        resolve({ system: peer, version: r.version, p50: r.hello3_p50_ms, p99: r.hello3_p99_ms, hello5: r.hello5_orch_per_s });
      } else {
        const reason = err.trim().split("\n").pop() || `exited with code ${code} and printed nothing`;
        resolve({ system: peer, version: "-", error: reason });
      }
    });
  });
}

const loadBefore = loadavg();
const rows: Row[] = [];
try {
  rows.push(await measureNwc());
} catch (e) {
  rows.push({ system: "nwc", version: "compiled, local backend", error: (e as Error).message });
}
for (const peer of PEERS) {
  process.stderr.write(`${peer}: installing and running (bench/peers/${peer}/run.sh)\n`);
  rows.push(await measurePeer(peer));
}
const loadAfter = loadavg();

const nwc = rows[0]!;
const ms = (x?: number) => (x === undefined ? "-" : x.toFixed(2));
const ratio = (a?: number, b?: number) => (a === undefined || b === undefined ? "-" : (a / b).toFixed(2));
const table = [
  ["system", "version", "Hello3 p50 ms", "Hello3 p99 ms", "Hello5 orch/s", "nwc/peer p50", "nwc/peer p99", "nwc/peer Hello5"],
  ...rows.map((r) =>
    r.error !== undefined
      ? [r.system, r.version, `not measured: ${r.error}`, "", "", "", "", ""]
      : [r.system, r.version, ms(r.p50), ms(r.p99), r.hello5 === undefined ? "-" : Math.round(r.hello5).toLocaleString("en-US"),
         ...(r === nwc ? ["1.00", "1.00", "1.00"] : [ratio(nwc.p50, r.p50), ratio(nwc.p99, r.p99), ratio(nwc.hello5, r.hello5)])],
  ),
];
const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(", ");
console.log(`\nnwc and peers: Hello3 ${HELLO3_RUNS} sequential after ${HELLO3_WARMUP} warm-up, Hello5 ${HELLO5_N.toLocaleString("en-US")} started at once (median of ${HELLO5_ROUNDS} after one untimed round)${quick ? " (quick)" : ""}, node ${process.version}`);
console.log(`load average before ${load(loadBefore)}, after ${load(loadAfter)}; latency ratios below 1 and throughput ratios above 1 favour nwc\n`);
printTable(table);
