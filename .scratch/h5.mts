import { startHost } from "/work/wt-history/runtime/host.ts";
import { hello5Throughput } from "/work/wt-history/bench/hello.ts";
import { loadWorkloads } from "/work/wt-history/bench/workloads.ts";
const w = (await loadWorkloads()).compiled;
const limit = Number(process.argv[2]);
for (let r = 0; r < 3; r++) {
  const host = await startHost({ app: w.app, backend: "memory", partitions: 4, log: () => undefined, partitionOptions: { cacheSize: 200_000, historyLimit: limit } });
  const x = await hello5Throughput(host, w.hello5, 2000);
  await host.stop();
  console.log(limit, Math.round(x));
}
