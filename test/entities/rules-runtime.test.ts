/**
 * Runtime enforcement of the rules of critical sections on a running host:
 * each violation fails the orchestration with `CriticalSectionError` and the
 * documented message, and the locks it held are released (a later locked
 * orchestration over the same entities completes). Also: termination and
 * failure inside a section release its locks.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadCompiled, startTestHost } from "./harness.ts";

const m = await loadCompiled<typeof import("./rules-app.ts")>("./rules-app.ts");
const host = await startTestHost(m.app, { partitions: 3 });
const client = host.client as any;
const WAIT = { timeoutMs: 30_000 };

async function run(orch: unknown, input: unknown, id: string) {
  await client.start(orch, input, { instanceId: id });
  return client.wait(id, WAIT);
}

async function assertReleased(keys: string[], id: string) {
  const s = await run(m.addAll, keys, id);
  assert.is(s.status, "Completed", `${id}: the entities ${keys} are still locked (${JSON.stringify(s.error)})`);
}

test("calling an entity not held fails with CriticalSectionError; locks released", async () => {
  const s = await run(m.callOutside, { held: ["a", "b"], target: "c" }, "r-call");
  assert.is(s.status, "Failed");
  assert.is(s.error.name, "CriticalSectionError");
  assert.ok(s.error.message.startsWith(`ctx.entity("Box", "c"): the critical section does not hold this entity`), s.error.message);
  await assertReleased(["a", "b", "c"], "r-call-after");
});

test("signalling a held entity fails with CriticalSectionError; locks released", async () => {
  const s = await run(m.signalInside, { held: ["a", "d"], target: "d" }, "r-signal");
  assert.is(s.status, "Failed");
  assert.is(s.error.name, "CriticalSectionError");
  assert.ok(s.error.message.startsWith(`ctx.signal("Box", "d"): the entity is held`), s.error.message);
  await assertReleased(["a", "d"], "r-signal-after");
  const ok = await run(m.signalInside, { held: ["a"], target: "e" }, "r-signal-ok");
  assert.is(ok.status, "Completed", "signalling an entity not held is allowed");
});

test("nesting fails with CriticalSectionError; locks released", async () => {
  const s = await run(m.nested, { outer: "f", inner: "g" }, "r-nested");
  assert.is(s.status, "Failed");
  assert.is(s.error.name, "CriticalSectionError");
  assert.ok(s.error.message.startsWith("ctx.lock: a critical section is already held"), s.error.message);
  await assertReleased(["f", "g"], "r-nested-after");
});

test("a lock over no entities fails with CriticalSectionError", async () => {
  const s = await run(m.lockKeys, [], "r-empty");
  assert.is(s.status, "Failed");
  assert.is(s.error.name, "CriticalSectionError");
  assert.ok(s.error.message.startsWith("ctx.lock: no entities were given"), s.error.message);
});

test("termination while holding releases the locks", async () => {
  await client.start(m.holdUntilEvent, ["h", "i"], { instanceId: "r-term" });
  // Wait until it holds: a second locker must be blocked meanwhile.
  await client.start(m.addAll, ["i"], { instanceId: "r-term-blocked" });
  const blocked = await client.wait("r-term-blocked", { timeoutMs: 1500 });
  assert.is(blocked.status === "Completed", false, "the second locker ran while the first held the lock");
  await client.terminate("r-term", "test");
  const after = await client.wait("r-term-blocked", WAIT);
  assert.is(after.status, "Completed");
  assert.is((await client.wait("r-term", WAIT)).status, "Terminated");
  await assertReleased(["h", "i"], "r-term-after");
});

test("failure inside a section releases the locks; completion releases them too", async () => {
  const s = await run(m.failInside, ["j", "k"], "r-fail");
  assert.is(s.status, "Failed");
  assert.is(s.error.message, "failed inside the critical section");
  await assertReleased(["j", "k"], "r-fail-after");
  assert.is((await client.readEntity(m.box, "j")).n, 2, "the add before the failure stays; the second add is from addAll");
});

test.after(async () => {
  await host.stop();
});

test.run();
