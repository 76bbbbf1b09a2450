// Child process for the version tests: a host on a local or aws store running the app file given.
// Usage: host-child.ts <backend json> <app file> start <instanceId>   start an instance, print "waiting" once it waits, stop
//        host-child.ts <backend json> <app file> finish <instanceId>  raise its event, print its final status as JSON, stop
//        host-child.ts <backend json> <app file> hold                 start the host, print "ready", stay until killed
import { loadAppFile } from "../../runtime/app-loader.ts";
import type { BackendSpec } from "../../runtime/backends/index.ts";
import { startHost } from "../../runtime/host.ts";

const [backendJson, appFile, mode, instanceId] = process.argv.slice(2);
const backend = JSON.parse(backendJson!) as BackendSpec;
const file = await loadAppFile(appFile!);
const host = await startHost({ app: file.definitions, backend, partitions: 2, log: (level, message) => console.error(`${level}: ${message}`) });
const approval = file.definitions.find((d) => (d as { name?: string }).name === "approval") as Parameters<typeof host.client.start>[0];
if (mode === "start") {
  await host.client.start(approval, "order-1", { instanceId: instanceId! });
  for (let s = await host.client.status(instanceId!); s?.customStatus !== "waiting"; s = await host.client.status(instanceId!)) await new Promise((r) => setTimeout(r, 20));
  console.log("waiting");
} else if (mode === "finish") {
  await host.client.raise(instanceId!, "approve", "alice");
  const done = await host.client.wait(instanceId!, { timeoutMs: 20_000 }).catch(async () => host.client.status(instanceId!));
  console.log(JSON.stringify(done));
} else {
  console.log("ready");
  setInterval(() => undefined, 60_000);
}
await host.stop();
