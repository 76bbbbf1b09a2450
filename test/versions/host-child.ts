// Child process for the version tests: a host on a local store running the app file given.
// Usage: host-child.ts <store dir> <app file> start <id>   start an instance, print its status as JSON once it waits, stop
//        host-child.ts <store dir> <app file> finish <id>  raise its event, print its status as JSON once it is
//                                                          Completed, Failed, Terminated or Suspended, stop
//        host-child.ts <store dir> <app file> hold         start the host, print "ready", stay until killed
import { loadAppFile } from "../../runtime/app-loader.ts";
import type { InstanceStatus } from "../../runtime/client.ts";
import { startHost } from "../../runtime/host.ts";

const [dir, appFile, mode, instanceId] = process.argv.slice(2);
const startedAt = Date.now();
const file = await loadAppFile(appFile!);
const host = await startHost({ app: file.definitions, backend: { kind: "local", dir: dir! }, partitions: 2, log: (level, message) => console.error(`${level}: ${message}`) });
const client = host.client;

async function until(done: (s: InstanceStatus | undefined) => boolean): Promise<InstanceStatus | undefined> {
  const deadline = Date.now() + 20_000;
  let s = await client.status(instanceId!);
  while (!done(s) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    s = await client.status(instanceId!);
  }
  return s;
}

if (mode === "start") {
  await client.start("approval", "order-1", { instanceId: instanceId! });
  console.log(JSON.stringify(await until((s) => s?.customStatus === "waiting")));
} else if (mode === "finish") {
  await client.raise(instanceId!, "approve", "alice");
  // Suspended counts only once this host said so (the instance may have been Suspended by an earlier host).
  console.log(JSON.stringify(await until((s) => ["Completed", "Failed", "Terminated"].includes(s?.status ?? "") || (s?.status === "Suspended" && s.updatedAt >= startedAt))));
} else {
  console.log("ready");
  setInterval(() => undefined, 60_000);
}
await host.stop();
