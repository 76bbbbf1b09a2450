/**
 * Child process of upgrade-crash.test.ts: a host on the local backend in <dir>
 * (2 partitions, a fixed host id so a restarted one takes the leases back at
 * once). Mode "v1": runs build v1 and starts <count> "loop" instances, prints
 * READY once all wait. Mode "both": runs v1's orchestrations and v2, prints
 * READY, and serves until killed; with "upgrade" for <count>, it then asks its
 * client to upgrade every "loop" instance and prints UPGRADED and the results;
 * with "finish", it raises two events to each and prints FINISHED and their outcomes.
 *
 * Usage: node --conditions=source --import tsx upgrade-host-child.ts <dir> <v1|both> <count|upgrade>
 */
import { build, V1, V2 } from "./apps.ts";
import { orchestrationsOf } from "./app-parts.ts";
import { startHost } from "../../runtime/host.ts";

const [dir, mode, countText] = process.argv.slice(2);
if (!dir || (mode !== "v1" && mode !== "both")) throw new Error("usage: upgrade-host-child.ts <dir> <v1|both> <count>");
const [v1, v2] = [await build(V1), await build(V2)];
const app = mode === "v1" ? [v1] : [orchestrationsOf(v1), v2];
const host = await startHost({ app, backend: { kind: "local", dir }, partitions: 2, hostId: "upgrade-host", log: (level, m) => level === "error" && console.error(m) });
if (mode === "v1") {
  const ids = Array.from({ length: Number(countText) }, (_, i) => `u-${i}`);
  for (const id of ids) await host.client.start("loop", ["x", "y"], { instanceId: id });
  for (const id of ids) {
    while ((await host.client.status(id))?.customStatus !== "waiting") await new Promise((r) => setTimeout(r, 10));
  }
}
process.stdout.write("READY\n");
if (mode === "both" && countText === "upgrade") {
  const lines = await host.client.upgrade({ name: "loop" }, { to: "latest" });
  process.stdout.write(`UPGRADED ${JSON.stringify(lines.map((l) => l.reason ?? l.result))}\n`);
}
if (mode === "both" && countText === "finish") {
  const ids = (await host.client.list({ name: "loop" })).map((s) => s.instanceId).sort((a, b) => Number(a.slice(2)) - Number(b.slice(2)));
  for (const id of ids) {
    await host.client.raise(id, "go", "a");
    await host.client.raise(id, "go", "b");
  }
  const out = [];
  for (const id of ids) {
    const s = await host.client.wait(id, { timeoutMs: 60_000 });
    out.push([s.status, s.output]);
  }
  process.stdout.write(`FINISHED ${JSON.stringify(out)}\n`);
}
