/**
 * The rules of critical sections enforced by the partition core (with
 * hand-written machines, independent of the compiler): each violation fails
 * the orchestration with `CriticalSectionError` and the documented message
 * (docs/entities.md section 4), and the locks it held come back. Termination
 * and failure while holding release the locks; a second locker waits meanwhile.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { EntityId } from "../../runtime/machine.ts";
import { lockLeftovers } from "./durable-state.ts";
import { account, genAudit, genHold, genOpen } from "./gen-app.ts";
import { genOrchestration, value } from "./gen-machine.ts";
import { compileModules, startTestHost } from "./harness.ts";

const A = (k: string): EntityId => account.id(k);

const callOutside = genOrchestration("callOutside", function* (i: { held: string[]; target: string }) {
  const [g] = yield [{ kind: "lock", entities: i.held.map(A) }];
  value(g);
  const [r] = yield [{ kind: "call", entity: A(i.target), op: "get" }];
  return value(r);
});
const signalInside = genOrchestration("signalInside", function* (i: { held: string[]; target: string }) {
  const [g] = yield [{ kind: "lock", entities: i.held.map(A) }];
  value(g);
  yield [{ kind: "signal", entity: A(i.target), op: "add", input: 1 }, { kind: "unlock", lockTaskId: g.taskId, entities: i.held.map(A) }];
  return "signalled";
});
const nested = genOrchestration("nested", function* (i: { outer: string; inner: string }) {
  const [g] = yield [{ kind: "lock", entities: [A(i.outer)] }];
  value(g);
  const [h] = yield [{ kind: "lock", entities: [A(i.inner)] }];
  return value(h);
});
const emptyLock = genOrchestration("emptyLock", function* () {
  const [g] = yield [{ kind: "lock", entities: [] }];
  return value(g);
});
const txOutside = genOrchestration("txOutside", function* (key: string) {
  const [r] = yield [{ kind: "call", entity: A(key), op: "get", transactionId: 1 }];
  return value(r);
});
const subInside = genOrchestration("subInside", function* (keys: string[]) {
  const [g] = yield [{ kind: "lock", entities: keys.map(A) }];
  value(g);
  const [r] = yield [{ kind: "sub", name: "genAudit", input: keys, instanceId: "sub-of-subInside" }];
  return value(r);
});
const failInside = genOrchestration("failInside", function* (keys: string[]) {
  const [g] = yield [{ kind: "lock", entities: keys.map(A) }];
  value(g);
  const [r] = yield [{ kind: "call", entity: A(keys[0]), op: "add", input: 1 }];
  value(r);
  throw new Error("failed inside the critical section");
});

const host = await startTestHost([account, genOpen, genAudit, genHold, callOutside, signalInside, nested, emptyLock, txOutside, failInside, subInside], { partitions: 3 });
const client = host.client as any;
const WAIT = { timeoutMs: 20_000 };

async function run(orch: unknown, input: unknown, id: string) {
  await client.start(orch, input, { instanceId: id });
  return client.wait(id, WAIT);
}

async function assertRuleError(s: any, startsWith: string) {
  assert.is(s.status, "Failed");
  assert.is(s.error.name, "CriticalSectionError", JSON.stringify(s.error));
  assert.ok(s.error.message.startsWith(startsWith), s.error.message);
}

/** The entities are free again: a lock over them is granted and the audit completes. */
async function assertReleased(keys: string[], id: string) {
  const s = await run(genAudit, keys, id);
  assert.is(s.status, "Completed", `${id}: ${keys} still locked`);
}

test("calling an entity not held", async () => {
  await assertRuleError(await run(callOutside, { held: ["a", "b"], target: "c" }, "r1"), `ctx.entity("Account", "c"): the critical section does not hold this entity`);
  await assertReleased(["a", "b", "c"], "r1-after");
});

test("signalling a held entity; signalling one not held is fine", async () => {
  await assertRuleError(await run(signalInside, { held: ["a", "d"], target: "d" }, "r2"), `ctx.signal("Account", "d"): the entity is held`);
  await assertReleased(["a", "d"], "r2-after");
  assert.is((await run(signalInside, { held: ["a"], target: "e" }, "r2-ok")).status, "Completed");
});

test("nesting", async () => {
  await assertRuleError(await run(nested, { outer: "f", inner: "g" }, "r3"), "ctx.lock: a critical section is already held");
  await assertReleased(["f", "g"], "r3-after");
});

test("a lock over no entities", async () => {
  await assertRuleError(await run(emptyLock, undefined, "r4"), "ctx.lock: no entities were given");
});

test("a transactional call outside any transaction", async () => {
  await assertRuleError(await run(txOutside, "h", "r5"), `tx.entity("Account", "h"): no transaction is open`);
});

test("a sub-orchestration inside a critical section (it could wait for its parent's locks forever)", async () => {
  await assertRuleError(await run(subInside, ["s1", "s2"], "r8"), `ctx.callSub("genAudit"): sub-orchestrations cannot start inside a critical section`);
  await assertReleased(["s1", "s2"], "r8-after");
  assert.is(await client.status("sub-of-subInside"), undefined, "the sub-orchestration must not have started");
});

test("termination while holding releases; a second locker waits until then", async () => {
  await client.start(genHold, ["i", "j"], { instanceId: "r6" });
  await new Promise((r) => setTimeout(r, 200));
  await client.start(genAudit, ["j"], { instanceId: "r6-blocked" });
  await new Promise((r) => setTimeout(r, 500));
  assert.is((await client.status("r6-blocked")).status, "Running", "the second locker ran while the first held the lock");
  await client.terminate("r6", "test");
  assert.is((await client.wait("r6-blocked", WAIT)).status, "Completed");
  assert.is((await client.wait("r6", WAIT)).status, "Terminated");
  await assertReleased(["i", "j"], "r6-after");
});

test("failure inside a section releases the locks; the call before it stays applied", async () => {
  await run(genOpen, { keys: ["k"], amount: 10 }, "r7-open");
  const s = await run(failInside, ["k", "l"], "r7");
  assert.is(s.status, "Failed");
  assert.is(s.error.message, "failed inside the critical section");
  await assertReleased(["k", "l"], "r7-after");
  assert.equal(await client.readEntity(account, "k"), { balance: 11 });
});

test("no durable lock state is left", async () => {
  const deadline = Date.now() + 5000;
  let left = await lockLeftovers(host.backend.store);
  while (left.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    left = await lockLeftovers(host.backend.store);
  }
  assert.equal(left, []);
});


// The same rules with compiled orchestrations (test/entities/rules-app.ts): the runtime catches
// what the compiler cannot see (entity keys that come from the input).
const test_ = test;
const m: any = (await compileModules(["./rules-app.ts"])).get("rules-app.ts");
const chost: any = await startTestHost(m.app, { partitions: 3 });
const cclient: any = chost.client;


async function runC(orch: unknown, input: unknown, id: string) {
  await cclient.start(orch, input, { instanceId: id });
  return cclient.wait(id, WAIT);
}

async function assertReleasedC(keys: string[], id: string) {
  const s = await runC(m.addAll, keys, id);
  assert.is(s.status, "Completed", `${id}: the entities ${keys} are still locked (${JSON.stringify(s.error)})`);
}

test_("compiled: calling an entity not held fails with CriticalSectionError; locks released", async () => {
  const s = await runC(m.callOutside, { held: ["a", "b"], target: "c" }, "r-call");
  assert.is(s.status, "Failed");
  assert.is(s.error.name, "CriticalSectionError");
  assert.ok(s.error.message.startsWith(`ctx.entity("Box", "c"): the critical section does not hold this entity`), s.error.message);
  await assertReleasedC(["a", "b", "c"], "r-call-after");
});

test_("compiled: signalling a held entity fails with CriticalSectionError; locks released", async () => {
  const s = await runC(m.signalInside, { held: ["a", "d"], target: "d" }, "r-signal");
  assert.is(s.status, "Failed");
  assert.is(s.error.name, "CriticalSectionError");
  assert.ok(s.error.message.startsWith(`ctx.signal("Box", "d"): the entity is held`), s.error.message);
  await assertReleasedC(["a", "d"], "r-signal-after");
  const ok = await runC(m.signalInside, { held: ["a"], target: "e" }, "r-signal-ok");
  assert.is(ok.status, "Completed", "signalling an entity not held is allowed");
});

test_("compiled: nesting fails with CriticalSectionError; locks released", async () => {
  const s = await runC(m.nested, { outer: "f", inner: "g" }, "r-nested");
  assert.is(s.status, "Failed");
  assert.is(s.error.name, "CriticalSectionError");
  assert.ok(s.error.message.startsWith("ctx.lock: a critical section is already held"), s.error.message);
  await assertReleasedC(["f", "g"], "r-nested-after");
});

test_("compiled: a lock over no entities fails the orchestration (the engine refuses it before the runtime)", async () => {
  const s = await runC(m.lockKeys, [], "r-empty");
  assert.is(s.status, "Failed");
  assert.ok(s.error.message.startsWith("ctx.lock: name at least one entity"), s.error.message);
});

test_("compiled: termination while holding releases the locks", async () => {
  await cclient.start(m.holdUntilEvent, ["h", "i"], { instanceId: "r-term" });
  // Wait until it holds: a second locker must be blocked meanwhile.
  await new Promise((r) => setTimeout(r, 300)); // let it take the lock first
  await cclient.start(m.addAll, ["i"], { instanceId: "r-term-blocked" });
  await new Promise((r) => setTimeout(r, 700));
  assert.is((await cclient.status("r-term-blocked")).status, "Running", "the second locker ran while the first held the lock");
  await cclient.terminate("r-term", "test");
  const after = await cclient.wait("r-term-blocked", WAIT);
  assert.is(after.status, "Completed");
  assert.is((await cclient.wait("r-term", WAIT)).status, "Terminated");
  await assertReleasedC(["h", "i"], "r-term-after");
});

test_("compiled: failure inside a section releases the locks; completion releases them too", async () => {
  const s = await runC(m.failInside, ["j", "k"], "r-fail");
  assert.is(s.status, "Failed");
  assert.is(s.error.message, "failed inside the critical section");
  await assertReleasedC(["j", "k"], "r-fail-after");
  assert.is((await cclient.readEntity(m.box, "j")).n, 2, "the add before the failure stays; the second add is from addAll");
});

test.after(async () => {
  await host.stop();
  await chost?.stop();
});

test.run();
