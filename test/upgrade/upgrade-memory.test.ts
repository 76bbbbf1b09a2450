// Upgrading waiting instances on the memory backend (the scenarios: scenario.ts), and the request's
// other doors: the Lambda client API op and bad arguments.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createMemoryBackend } from "../../runtime/backends/memory/index.ts";
import { startHost } from "../../runtime/host.ts";
import { runClientOperation } from "../../runtime/lambda/client-api.ts";
import { build, V1, V2 } from "./apps.ts";
import { orchestrationsOf } from "./app-parts.ts";
import { upgradeScenarios } from "./scenario.ts";

upgradeScenarios("memory", async () => ({ spec: createMemoryBackend({ partitions: 2 }) }));

test("memory: the Lambda client op upgrades by filter; bad arguments are refused before anything is sent", async () => {
  const [v1, v2] = [await build(V1), await build(V2)];
  const backend = createMemoryBackend({ partitions: 2 });
  let host = await startHost({ app: [v1], backend, partitions: 2, log: () => undefined });
  await host.client.start("guarded", 1, { instanceId: "l-1" });
  while ((await host.client.status("l-1"))?.customStatus !== "waiting") await new Promise((r) => setTimeout(r, 10));
  await host.stop();
  host = await startHost({ app: [orchestrationsOf(v1), v2], backend, partitions: 2, log: () => undefined });
  try {
    const dry = (await runClientOperation(host.client, { op: "upgrade", filter: { name: "guarded" }, dryRun: true })) as any[];
    assert.equal(dry.map((l) => [l.instanceId, l.result, l.dryRun]), [["l-1", "upgraded", true]]);
    const real = (await runClientOperation(host.client, { op: "upgrade", instanceId: "l-1" })) as any[];
    assert.equal(real.map((l) => [l.result, l.from, l.to]), [["upgraded", v1.guarded.machine.version, v2.guarded.machine.version]]);
    let refused = "";
    await runClientOperation(host.client, { op: "upgrade" }).catch((e) => (refused = e.message));
    assert.match(refused, /"upgrade" needs filter/);
    await host.client.upgrade("nope", { to: "latest" }).catch((e) => (refused = e.message));
    assert.match(refused, /no instance with id "nope" exists/);
    await host.client.upgrade("l-1", { to: "v9" as "latest" }).catch((e) => (refused = e.message));
    assert.match(refused, /options.to must be "latest"/);
    await host.client.raise("l-1", "go", "e");
    assert.is((await host.client.wait("l-1", { timeoutMs: 20_000 })).customStatus, "v2 cleanup e");
  } finally {
    await host.stop();
  }
});

test.run();
