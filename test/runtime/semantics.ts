/**
 * The semantic suite of the runtime, parameterised by a backend factory so
 * every backend runs the same checks: `semanticSuite("memory", makeBackend)`.
 * `makeBackend()` returns a backend spec (reusable by two hosts one after the
 * other, for restart tests) and a cleanup. Every test stops its hosts; waits
 * allow several seconds so slow backends pass.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { startHost, type Host } from "../../runtime/host.ts";
import type { BackendSpec } from "../../runtime/backends/index.ts";
import { orchestration } from "../../runtime/api.ts";
import * as A from "./machines/apps.ts";
import { versionedV1, versionedV2 } from "./machines/versioned.ts";

export interface BackendFixture {
  spec: BackendSpec;
  cleanup(): Promise<void>;
}

const WAIT = { timeoutMs: 20_000 };

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function semanticSuite(name: string, makeBackend: () => Promise<BackendFixture>, options: { partitions?: number } = {}) {
  const test = suite(`semantics (${name})`);
  const partitions = options.partitions ?? 4;
  let fixture: BackendFixture;
  let host: Host;

  test.before.each(async () => {
    fixture = await makeBackend();
    host = await startHost({ app: A.app, backend: fixture.spec, partitions, log: () => undefined });
  });
  test.after.each(async () => {
    await host?.stop();
    await fixture?.cleanup();
  });

  test("start runs activities in sequence; status has every field", async () => {
    const before = Date.now();
    const id = await host.client.start(A.helloSequence, ["Tokyo", "Seattle", "London"]);
    const s = await host.client.wait(id, WAIT);
    assert.is(s.status, "Completed");
    assert.equal(s.output, ["Hello Tokyo!", "Hello Seattle!", "Hello London!"]);
    assert.equal(s.input, ["Tokyo", "Seattle", "London"]);
    assert.is(s.name, "helloSequence");
    assert.is(s.instanceId, id);
    assert.is(s.error, undefined);
    assert.ok(s.createdAt >= before - 1000 && s.updatedAt >= s.createdAt);
  });

  test("start is idempotent per instance id", async () => {
    const id = `once-${Math.random()}`;
    assert.is(await host.client.start(A.countedOnce, id, { instanceId: id }), id);
    await host.client.wait(id, WAIT);
    assert.is(await host.client.start(A.countedOnce, "other", { instanceId: id }), id);
    await new Promise((r) => setTimeout(r, 200));
    const s = await host.client.status(id);
    assert.is(s!.output, `Hello ${id}!`);
    assert.is(A.counters.get(`countedGreet:${id}`), 1);
    assert.is(A.counters.get(`countedGreet:other`), undefined);
  });

  test("an activity failure fails the orchestration with name, message and stack", async () => {
    const id = await host.client.start(A.failing, "x");
    const s = await host.client.wait(id, WAIT);
    assert.is(s.status, "Failed");
    assert.is(s.error!.name, "RangeError");
    assert.is(s.error!.message, "boom: x");
    assert.type(s.error!.stack, "string");
    assert.ok(s.error!.stack!.includes("boom"));
  });

  test("an orchestration catches an activity error with its original name", async () => {
    const s = await host.client.wait(await host.client.start(A.catching, "y"), WAIT);
    assert.is(s.output, "RangeError: boom: y");
  });

  test("retry policy: attempts with backoff until success, or the last error", async () => {
    const key = `k${Math.random()}`;
    const ok = await host.client.wait(await host.client.start(A.retrying, { key, failures: 2 }), WAIT);
    assert.is(ok.output, "ok after 3");
    const key2 = `k${Math.random()}`;
    const bad = await host.client.wait(await host.client.start(A.retrying, { key: key2, failures: 5 }), WAIT);
    assert.is(bad.status, "Failed");
    assert.is(bad.error!.message, `flaky ${key2} attempt 3`);
    assert.is(A.counters.get(`flaky:${key2}`), 3);
  });

  test("sub-orchestrations return results and carry failures", async () => {
    const s = await host.client.wait(await host.client.start(A.parent, 3), WAIT);
    assert.equal(s.output, [6, 8]);
    const f = await host.client.wait(await host.client.start(A.parentOfFailing, null), WAIT);
    assert.is(f.output, "SyntaxError: negative child");
  });

  test("durable timers wait at least their time", async () => {
    const t0 = Date.now();
    const s = await host.client.wait(await host.client.start(A.sleeper, 150), WAIT);
    assert.is(s.status, "Completed");
    assert.ok((s.output as number) >= 150, `ctx.now() advanced by ${s.output}`);
    assert.ok(Date.now() - t0 >= 140);
  });

  test("external events: raised before or after the wait, buffered, custom status", async () => {
    const id = await host.client.start(A.eventWaiter, ["a", "b", "a"]);
    await host.client.raise(id, "b", { n: 2 });
    await eventually("custom status", async () => ((await host.client.status(id))?.customStatus === "waiting" ? true : undefined));
    await host.client.raise(id, "a", 1);
    await host.client.raise(id, "a", 3);
    const s = await host.client.wait(id, WAIT);
    assert.equal(s.output, [1, { n: 2 }, 3]);
    assert.is(s.customStatus, "done");
  });

  test("an event raced against a timer: both outcomes", async () => {
    const fast = await host.client.start(A.approval, 10_000);
    await host.client.raise(fast, "approve", "alice");
    assert.is((await host.client.wait(fast, WAIT)).output, "approved by alice");
    const slow = await host.client.start(A.approval, 100);
    assert.is((await host.client.wait(slow, WAIT)).output, "timed out");
  });

  test("Promise combinators: all (fan-out), allSettled, any", async () => {
    assert.is((await host.client.wait(await host.client.start(A.fanOut, 20), WAIT)).output, 380);
    assert.equal((await host.client.wait(await host.client.start(A.settled, null), WAIT)).output, [["fulfilled", "rejected"], 10]);
  });

  test("continue-as-new restarts the instance with the new input", async () => {
    const id = await host.client.start(A.looper, { i: 0, n: 5 });
    const s = await host.client.wait(id, WAIT);
    assert.equal(s.output, { i: 5, last: 8 });
    assert.equal(s.input, { i: 4, n: 5 });
  });

  test("terminate ends a waiting instance; terminating again changes nothing", async () => {
    const id = await host.client.start(A.eventWaiter, ["never"]);
    await host.client.terminate(id, "operator said so");
    const s = await host.client.wait(id, WAIT);
    assert.is(s.status, "Terminated");
    assert.is(s.output, "operator said so");
    await host.client.terminate(id, "again");
    await host.client.raise(id, "never", 1);
    await new Promise((r) => setTimeout(r, 100));
    assert.is((await host.client.status(id))!.output, "operator said so");
  });

  test("wait rejects with a clear timeout error", async () => {
    const id = await host.client.start(A.eventWaiter, ["never"]);
    try {
      await host.client.wait(id, { timeoutMs: 100 });
      assert.unreachable("wait should time out");
    } catch (e) {
      assert.is((e as Error).name, "TimeoutError");
      assert.match((e as Error).message, /did not finish within 100 ms \(status: Running\)/);
    }
    await host.client.terminate(id, "cleanup");
  });

  test("list filters by name, status and created range", async () => {
    const t0 = Date.now() - 1;
    const done = await host.client.start(A.helloSequence, ["a"]);
    await host.client.wait(done, WAIT);
    const waiting = await host.client.start(A.eventWaiter, ["never"]);
    const byName = await host.client.list({ name: "eventWaiter", createdFrom: t0 });
    assert.ok(byName.some((s) => s.instanceId === waiting));
    assert.ok(!byName.some((s) => s.instanceId === done));
    const running = await host.client.list({ status: "Running", createdFrom: t0 });
    assert.ok(running.some((s) => s.instanceId === waiting) && !running.some((s) => s.instanceId === done));
    const completed = await host.client.list({ status: ["Completed"], createdFrom: t0 });
    assert.ok(completed.some((s) => s.instanceId === done));
    assert.is((await host.client.list({ createdTo: t0 - 60_000, name: "helloSequence" })).filter((s) => s.instanceId === done).length, 0);
    await host.client.terminate(waiting, "cleanup");
  });

  test("entities: calls, failing operations leave state, signals in order, readEntity", async () => {
    const key = `c${Math.random()}`;
    const s = await host.client.wait(await host.client.start(A.entityCaller, key), WAIT);
    assert.equal(s.output, { v: 7, err: "TypeError: fail op", after: 7 });
    await eventually("signal applied", async () => ((await host.client.readEntity<{ value: number }>(A.counter, key))?.value === 107 ? true : undefined));
    for (let i = 1; i <= 10; i++) await host.client.signal(A.counter, key, "add", i);
    await eventually("ten signals", async () => ((await host.client.readEntity<{ value: number }>(A.counter, key))?.value === 162 ? true : undefined));
    await host.client.signal(A.counter, key, "reset");
    await eventually("deleted", async () => ((await host.client.readEntity(A.counter, key)) === undefined ? true : undefined));
    assert.is(await host.client.readEntity(A.counter, `never-${key}`), undefined);
  });

  test("entities: ectx.signal and ectx.start", async () => {
    const key = `f${Math.random()}`;
    await host.client.signal(A.counter, key, "forward", { key: `${key}-t`, n: 4 });
    await eventually("forwarded", async () => ((await host.client.readEntity<{ value: number }>("Counter", `${key}-t`))?.value === 4 ? true : undefined));
    await host.client.signal(A.counter, key, "startHello", `${key}-orch`);
    const s = await eventually("started by entity", async () => {
      const st = await host.client.status(`${key}-orch`);
      return st?.status === "Completed" ? st : undefined;
    });
    assert.equal(s.output, ["Hello E!"]);
  });

  test("bad input gets a clear error and changes nothing", async () => {
    const id = `bad-${Math.random()}`;
    await assertRejects(() => host.client.start("nope", 1, { instanceId: id }), /unknown orchestration "nope"/);
    await assertRejects(() => host.client.start(A.helloSequence, [() => 1] as any, { instanceId: id }), /cannot be serialized.*function/);
    await assertRejects(() => host.client.start(A.helloSequence, ["x".repeat(300_000)], { instanceId: id }), /limit is 262144 bytes/);
    await assertRejects(() => host.client.raise("no-such-instance", "e", 1), /no instance with id/);
    await assertRejects(() => host.client.signal(A.counter, "k", "nosuchop", 1), /has no operation "nosuchop"/);
    await assertRejects(() => host.client.list({ status: "Done" as any }), /unknown status "Done"/);
    assert.is(await host.client.status(id), undefined);
  });

  test("an unhandled command fails the instance with a clear error", async () => {
    const s = await host.client.wait(await host.client.start(A.bogus, null), WAIT);
    assert.is(s.status, "Failed");
    assert.is(s.error!.name, "UnsupportedCommand");
    assert.match(s.error!.message, /"teleport"/);
  });

  test("a host refuses an orchestration that was not compiled", async () => {
    const raw = orchestration("raw", async () => 1);
    await assertRejects(() => startHost({ app: [raw], backend: "memory" }), /was not compiled.*nwc build.*--import nwc\/register/);
  });

  test("instances keep their machine version; a host lacking it says so, and one with it resumes", async () => {
    await host.stop();
    host = await startHost({ app: [versionedV1], backend: fixture.spec, partitions, log: () => undefined });
    const id = await host.client.start(versionedV1, null);
    await host.stop();
    host = await startHost({ app: [versionedV2], backend: fixture.spec, partitions, log: () => undefined });
    await host.client.raise(id, "go", 1);
    const suspended = await eventually("suspension error", async () => {
      const s = await host.client.status(id);
      return s?.error?.name === "MachineVersionMissing" ? s : undefined;
    });
    assert.match(suspended.error!.message, /runs version v1 of orchestration "versioned", which this host cannot load: it is not stored.*has version\(s\) v2/);
    assert.is(suspended.status, "Suspended");
    assert.is(suspended.version, "v1");
    await host.stop();
    host = await startHost({ app: [versionedV1, versionedV2], backend: fixture.spec, partitions, log: () => undefined });
    await host.client.raise(id, "go", 2);
    const s = await host.client.wait(id, WAIT);
    assert.is(s.output, "v1:1");
    const fresh = await host.client.wait(await host.client.start(versionedV2, null).then(async (nid) => (await host.client.raise(nid, "go", 3), nid)), WAIT);
    assert.is(fresh.output, "v2:3");
  });

  test("state survives a host restart (recovery from the store)", async () => {
    const id = await host.client.start(A.eventWaiter, ["x"]);
    await host.stop();
    host = await startHost({ app: A.app, backend: fixture.spec, partitions, log: () => undefined });
    await host.client.raise(id, "x", "after restart");
    assert.equal((await host.client.wait(id, WAIT)).output, ["after restart"]);
  });

  return test;
}

async function assertRejects(f: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await f();
  } catch (e) {
    assert.match((e as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected a rejection matching ${pattern}`);
}
