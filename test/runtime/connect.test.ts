/** A client made by connect() over a backend shared with a host behaves like the host's own client. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { activity } from "../../runtime/api.ts";
import { createMemoryBackend } from "../../runtime/backends/memory/index.ts";
import { connect } from "../../runtime/client.ts";
import { startHost } from "../../runtime/host.ts";
import * as A from "./machines/apps.ts";
import { genOrchestration } from "./machines/generator-machine.ts";

test("connect(): start, wait, raise, signal, readEntity, list against a host elsewhere", async () => {
  const backend = createMemoryBackend({ partitions: 3 });
  const host = await startHost({ app: A.app, backend, partitions: 3, log: () => undefined });
  const client = await connect({ backend, partitions: 3 });
  const id = await client.start(A.eventWaiter, ["go"], { instanceId: "via-connect" });
  assert.is(id, "via-connect");
  assert.is((await client.status(id))!.status, "Running");
  await client.raise(id, "go", 42);
  assert.equal((await client.wait(id, { timeoutMs: 10_000 })).output, [42]);
  await client.signal("Counter", "k", "add", 3);
  for (let i = 0; i < 200 && (await client.readEntity<{ value: number }>("Counter", "k"))?.value !== 3; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(await client.readEntity("Counter", "k"), { value: 3 });
  assert.ok((await client.list({ name: "eventWaiter" })).some((s) => s.instanceId === id));
  await client.close();
  await host.stop();
  await backend.close();
});

test("connect() with a mismatched partition count is refused with a clear error", async () => {
  const backend = createMemoryBackend({ partitions: 3 });
  try {
    await connect({ backend, partitions: 4 });
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /made for 3 partitions but 4 were asked for/);
  }
});

test("an activity result over the payload limit fails the task with PayloadTooLarge, and the orchestration can catch it", async () => {
  const big = activity("big", async () => "x".repeat(300 * 1024));
  const orch = genOrchestration("bigCaller", function* (ctx) {
    try {
      yield ctx.call(big, null);
      return "no error";
    } catch (e) {
      return (e as Error).name;
    }
  });
  const host = await startHost({ app: [big, orch], backend: "memory", partitions: 1, log: () => undefined });
  const s = await host.client.wait(await host.client.start(orch, null), { timeoutMs: 10_000 });
  assert.is(s.output, "PayloadTooLarge");
  await host.stop();
});

test.run();
