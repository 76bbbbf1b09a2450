// Child process for test/backends/local-lease.test.ts: a host on a local store in a process of its own.
// Usage: host-child.ts <dir> hold    start a host, complete one `shop` instance ("held-1"), print "ready", stay until killed
//        host-child.ts <dir> start   start a host and stop it; print "started", or "error <name>: <message>" (exit 1)
import { createLocalBackend } from "../../runtime/backends/local/index.ts";
import { startHost } from "../../runtime/host.ts";
import { app, PARTITIONS, partitionOptions, SEGMENT_BYTES, shop } from "./corruption-fixture.ts";

const [dir, mode] = process.argv.slice(2);
try {
  const backend = await createLocalBackend({ dir: dir!, segmentBytes: SEGMENT_BYTES }, PARTITIONS);
  const host = await startHost({ app, backend, partitions: PARTITIONS, partitionOptions, log: () => undefined });
  if (mode === "hold") {
    await host.client.wait(await host.client.start(shop, 7, { instanceId: "held-1" }), { timeoutMs: 30_000 });
    console.log("ready");
    setInterval(() => undefined, 60_000);
  } else {
    await host.stop();
    await backend.close();
    console.log("started");
  }
} catch (error) {
  console.log(`error ${(error as Error).name}: ${(error as Error).message}`);
  process.exit(1);
}
