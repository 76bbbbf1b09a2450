/**
 * Entity operation semantics on a running host (docs/entities.md section 1):
 * per-sender ordering, a throwing operation leaves the state unchanged and
 * returns the error, deleteState, ectx.signal (and not on throw), ectx.start.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { eventually, startTestHost } from "./harness.ts";
import * as m from "./ops-app.ts";
const host = await startTestHost(m.app, { partitions: 4 });
const client = host.client as any;
const WAIT = { timeoutMs: 30_000 };

test("per-sender order: three orchestrations and a client signal one entity concurrently", async () => {
  const n = 40;
  const ids = ["x", "y", "z"].map((tag) => `sig-${tag}`);
  await Promise.all(["x", "y", "z"].map((tag, i) => client.start(m.signalMany, { key: "order", count: n, tag }, { instanceId: ids[i] })));
  for (let i = 0; i < n; i++) await client.signal(m.probe, "order", "append", `c${i}`);
  for (const id of ids) assert.is((await client.wait(id, WAIT)).status, "Completed");
  const state = await eventually("all 160 appends", async () => {
    const s = await client.readEntity(m.probe, "order");
    return s && s.seen.length >= 4 * n ? s : undefined;
  });
  assert.is(state.seen.length, 4 * n, "each append applied exactly once");
  for (const tag of ["x", "y", "z", "c"]) {
    const mine = state.seen.filter((v: string) => v.startsWith(tag));
    assert.equal(mine, Array.from({ length: n }, (_, i) => `${tag}${i}`), `sender ${tag}: order kept`);
  }
});

test("calls run in order and return results", async () => {
  const s = await client.wait(await client.start(m.callMany, { key: "calls", count: 5, tag: "v" }, { instanceId: "calls-1" }), WAIT);
  assert.is(s.status, "Completed");
  assert.equal(s.output.seen, ["v0", "v1", "v2", "v3", "v4"]);
});

test("a throwing operation leaves the state unchanged and the caller gets the error", async () => {
  const s = await client.wait(await client.start(m.callFailing, "thrower", { instanceId: "fail-1" }), WAIT);
  assert.is(s.status, "Completed", JSON.stringify(s.error));
  assert.equal(s.output.caught, { name: "TypeError", message: "bad input 42" });
  assert.equal(s.output.after, { seen: [], counter: 1 });
  assert.equal(await client.readEntity(m.probe, "thrower"), { seen: [], counter: 1 });
});

test("deleteState: readEntity gives undefined, the next operation starts from init", async () => {
  await client.signal(m.probe, "del", "append", "first");
  await eventually("the append", async () => ((await client.readEntity(m.probe, "del"))?.seen.length === 1 ? true : undefined));
  await client.signal(m.probe, "del", "remove", undefined);
  await eventually("the deletion", async () => ((await client.readEntity(m.probe, "del")) === undefined ? true : undefined));
  await client.signal(m.probe, "del", "append", "again");
  const s = await eventually("the append after deletion", async () => await client.readEntity(m.probe, "del"));
  assert.equal(s, { seen: ["again"], counter: 0 });
});

test("ectx.signal sends in order after the operation; not at all when it throws", async () => {
  await client.signal(m.probe, "fwd-src", "forwardThenFail", { to: "fwd-dst" });
  await client.signal(m.probe, "fwd-src", "forward", { to: "fwd-dst", values: [1, 2, 3] });
  const dst = await eventually("the forwarded signals", async () => {
    const s = await client.readEntity(m.probe, "fwd-dst");
    return s?.seen.length === 3 ? s : undefined;
  });
  assert.equal(dst.seen, [1, 2, 3]);
  assert.equal((await client.readEntity(m.probe, "fwd-src")).counter, 1);
});

test("ectx.start starts an orchestration (once per instance id)", async () => {
  await client.signal(m.probe, "starter", "startDone", "started-by-entity");
  await client.signal(m.probe, "starter", "startDone", "started-by-entity");
  const s = await eventually("the started orchestration", async () => {
    const st = await client.status("started-by-entity");
    return st?.status === "Completed" ? st : undefined;
  });
  assert.is(s.output, "started by starter");
  assert.is((await eventually("both ops", async () => {
    const p = await client.readEntity(m.probe, "starter");
    return p?.counter === 2 ? p : undefined;
  })).counter, 2);
});

test("operations wait behind a lock and then run in arrival order, per sender", async () => {
  await client.start(m.holdProbe, "locked", { instanceId: "hold-1" });
  await eventually("the lock is held", async () => ((await client.status("hold-1"))?.status === "Running" ? true : undefined));
  await new Promise((r) => setTimeout(r, 200));
  for (let i = 0; i < 20; i++) await client.signal(m.probe, "locked", "append", `q${i}`);
  await client.start(m.signalMany, { key: "locked", count: 10, tag: "o" }, { instanceId: "sig-locked" });
  assert.is((await client.wait("sig-locked", WAIT)).status, "Completed");
  await new Promise((r) => setTimeout(r, 300));
  assert.is(await client.readEntity(m.probe, "locked"), undefined, "nothing ran while the lock was held");
  await client.raise("hold-1", "go", null);
  assert.is((await client.wait("hold-1", WAIT)).status, "Completed");
  const s = await eventually("all queued appends", async () => {
    const st = await client.readEntity(m.probe, "locked");
    return st?.seen.length === 31 ? st : undefined;
  });
  assert.is(s.seen[0], "holder", "the holder's call ran first, under its lock");
  assert.equal(s.seen.filter((v: string) => v.startsWith("q")), Array.from({ length: 20 }, (_, i) => `q${i}`));
  assert.equal(s.seen.filter((v: string) => v.startsWith("o")), Array.from({ length: 10 }, (_, i) => `o${i}`));
});

test.after(async () => {
  await host.stop();
});

test.run();
