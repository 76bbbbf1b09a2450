// Frames kept decoded between steps (runtime/partitions/decoded-frames.ts):
// an instance waiting for an activity keeps the frame its step returned and
// its next step runs on it, with the same outcome as a step on a frame
// decoded from the store; a frame whose decoded copy would differ (a value
// of a user's class, here one whose codec drops a field) is decoded again,
// so what a step sees never depends on whether its frame was kept; an
// instance waiting for an event keeps only its encoded frame.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { encodeFrameChecked } from "../../runtime/codec.ts";
import { startHost, type Host } from "../../runtime/host.ts";
import { compileModules } from "../entities/harness.ts";

const app = (await compileModules(["../runtime/fixtures/kept-frames.ts"])).get("kept-frames.ts");
const definitions = [app.echo, app.held, app.sum3, app.waitsForHeld, app.lossyNote, app.waitsForEvent];

async function onHost(body: (host: Host) => Promise<void>): Promise<void> {
  const host = await startHost({ app: definitions, backend: "memory", partitions: 1, log: () => {} });
  try {
    await body(host);
  } finally {
    await host.stop();
  }
}

const kept = (host: Host) => host.partitions[0]!.keptFrames;

async function until(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test("an instance waiting for an activity keeps its decoded frame, and its next steps run on it", async () => {
  await onHost(async (host) => {
    const id = await host.client.start(app.waitsForHeld, null);
    await until("the first step ran", async () => (await host.client.status(id))?.status === "Running" && kept(host) === 1);
    app.releaseHeld();
    const s = await host.client.wait(id, { timeoutMs: 10_000 });
    assert.is(s.status, "Completed");
    assert.is(s.output, 3);
    assert.is(kept(host), 0, "a finished instance keeps nothing");
  });
});

test("steps on kept frames keep shared objects shared, as steps on decoded frames do", async () => {
  await onHost(async (host) => {
    const s = await host.client.wait(await host.client.start(app.sum3, null), { timeoutMs: 10_000 });
    assert.equal(s.output, { total: 6, seen: [1, 2, 3], same: true });
  });
});

test("a frame holding a value of a user's class is decoded again every step: what the step sees is the stored frame", async () => {
  await onHost(async (host) => {
    const s = await host.client.wait(await host.client.start(app.lossyNote, null), { timeoutMs: 10_000 });
    assert.equal(s.output, { cents: 5, afterFirst: "", afterSecond: "" });
  });
});

test("an instance waiting for an event keeps only its encoded frame", async () => {
  await onHost(async (host) => {
    const id = await host.client.start(app.waitsForEvent, null);
    await until("it waits for the event", async () => (await host.client.status(id))?.status === "Running");
    await new Promise((r) => setTimeout(r, 50));
    assert.is(kept(host), 0);
    await host.client.raise(id, "go", 41);
    assert.is((await host.client.wait(id, { timeoutMs: 10_000 })).output, 42);
  });
});

test("the codec says which frames round-trip exactly", () => {
  class Unregistered {}
  void Unregistered;
  assert.is(encodeFrameChecked({ a: [1, { b: new Map([[1, new Date(0)]]) }], c: new Set([1n]) }).roundTripsExactly, true);
  assert.is(encodeFrameChecked({ m: new app.Money(1) }).roundTripsExactly, false, "a user's class");
  assert.is(encodeFrameChecked({ b: Buffer.from("ab") }).roundTripsExactly, false, "a Buffer of Node's pool");
  assert.is(encodeFrameChecked({ u: new Uint8Array(2) }).roundTripsExactly, true, "a typed array and its buffer");
});

test.run();
