import { startHost } from "/work/wt-history/runtime/host.ts";
import { hello5Throughput, median } from "/work/wt-history/bench/hello.ts";
import { loadWorkloads } from "/work/wt-history/bench/workloads.ts";
const w = (await loadWorkloads()).compiled;
const res: Record<string, number[]> = { "0": [], "1000": [] };
for (let r = 0; r < 6; r++) {
  for (const limit of r % 2 ? [0, 1000] : [1000, 0]) {
    const host = await startHost({ app: w.app, backend: process.argv[2] === "local" ? { kind: "local", dir: `/tmp/nwc-ab-${process.pid}-${r}-${limit}` } : "memory", partitions: 4, log: () => undefined, partitionOptions: { cacheSize: 200_000, historyLimit: limit } });
    const c0 = process.cpuUsage(); await hello5Throughput(host, w.hello5, 2000, `x${r}`); const c = process.cpuUsage(c0); res[limit].push((c.user + c.system) / 2000);
    await host.stop();
  }
}
const off = median(res["0"]), on = median(res["1000"]);
console.log("off", Math.round(off), "on", Math.round(on), "off/on", (off / on).toFixed(3), JSON.stringify(res, (k, v) => typeof v === "number" ? Math.round(v) : v));
