/**
 * Hello3 latency and Hello5 throughput on a running host: shared by
 * bench/runtime.ts and bench/peers.ts, so nwc's rows of both tables come from
 * one definition and the peers' scripts (bench/peers/) mirror this one.
 */
import { performance } from "node:perf_hooks";
import type { Host } from "../runtime/host.ts";

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** Runs the first JIT_WARMUP_RUNS untimed: they measure the compiler of V8, not the runtime. */
export const JIT_WARMUP_RUNS = 10;

/** One Hello3 instance at a time, start to observed completion, `runs` timed after the warm-up; p50 and p99 in ms. */
export async function hello3Latency(host: Host, hello3: unknown, runs: number, warmup = JIT_WARMUP_RUNS): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  for (let i = 0; i < runs + warmup; i++) {
    const t = performance.now();
    const id = await host.client.start(hello3 as any, null);
    const s = await host.client.wait(id, { timeoutMs: 30_000 });
    if (s.status !== "Completed") throw new Error(`hello3 ended ${s.status}`);
    if (i >= warmup) samples.push(performance.now() - t);
  }
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** `n` Hello5 instances started at once; instances completed per second, from the first start to the last completion. */
export async function hello5Throughput(host: Host, hello5: unknown, n: number, idPrefix = "h5"): Promise<number> {
  const t = performance.now();
  const ids = await Promise.all(Array.from({ length: n }, (_, i) => host.client.start(hello5 as any, null, { instanceId: `${idPrefix}-${i}` })));
  const ends = await Promise.all(ids.map((id) => host.client.wait(id, { timeoutMs: 600_000 })));
  const seconds = (performance.now() - t) / 1000;
  const failed = ends.filter((s) => s.status !== "Completed").length;
  if (failed > 0) throw new Error(`${failed} of ${n} hello5 instances did not complete`);
  return n / seconds;
}
