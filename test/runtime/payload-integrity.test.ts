// What the codec cannot decode never stops a partition: it fails one instance or one
// request with a clear error. Buffers (what fs.readFile gives) round-trip as Buffers.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { activity } from "../../runtime/api.ts";
import { createMemoryBackend } from "../../runtime/backends/memory/index.ts";
import { registerClass } from "../../runtime/codec.ts";
import { startHost } from "../../runtime/host.ts";
import { compileSource } from "../../compiler/index.ts";
import { loadCompiled } from "../../compiler/load.ts";
import { genOrchestration } from "./machines/generator-machine.ts";

const quiet = () => {};

const readFile = activity("readFileLike", async (text: string) => Buffer.from(text));
class Bytes extends Uint8Array {}
const subclassBytes = activity("subclassBytes", async () => new Bytes(2));
class Fragile {}
registerClass({ name: "test.Fragile", ctor: Fragile, encode: () => 1, decode: () => { throw new Error("cannot rebuild a Fragile"); } });
const fragile = activity("fragile", async () => new Fragile());
const echo = activity("echoBytes", async (b: unknown) => b);

const callOne = (name: string, act: typeof readFile | typeof fragile | typeof subclassBytes) =>
  genOrchestration(name, function* (ctx, input: unknown) {
    return yield ctx.call(act as any, input);
  });
const readOrch = callOne("readOrch", readFile);
const subclassOrch = callOne("subclassOrch", subclassBytes);
const fragileOrch = callOne("fragileOrch", fragile);
const echoOrch = callOne("echoOrch", echo as any);
const app = [readFile, subclassBytes, fragile, echo, readOrch, subclassOrch, fragileOrch, echoOrch];

test("an activity's Buffer result and a Buffer start input round-trip; status() and list() keep working", async () => {
  const host = await startHost({ app, backend: createMemoryBackend({ partitions: 1 }), partitions: 1, log: quiet });
  const read = await host.client.start(readOrch, "file contents");
  const s = await host.client.wait(read, { timeoutMs: 10_000 });
  assert.is(s.status, "Completed");
  assert.ok(Buffer.isBuffer(s.output));
  assert.is((s.output as Buffer).toString(), "file contents");
  const withInput = await host.client.start(echoOrch, Buffer.from("in"));
  const e = await host.client.wait(withInput, { timeoutMs: 10_000 });
  assert.ok(Buffer.isBuffer(e.input) && Buffer.isBuffer(e.output));
  assert.is((await host.client.list()).length, 2);
  await host.stop();
});

test("a result that cannot be encoded or decoded fails its instance, and the partition goes on", async () => {
  const host = await startHost({ app, backend: createMemoryBackend({ partitions: 1 }), partitions: 1, log: quiet });
  const sub = await host.client.start(subclassOrch, null);
  const bad = await host.client.start(fragileOrch, null);
  const s1 = await host.client.wait(sub, { timeoutMs: 10_000 });
  assert.is(s1.status, "Failed");
  assert.match(s1.error!.message, /the result of activity "subclassBytes" cannot be serialized: cannot serialize \$: it is an instance of Bytes, a subclass of a typed array/);
  const s2 = await host.client.wait(bad, { timeoutMs: 10_000 });
  assert.is(s2.status, "Failed");
  assert.is(s2.error!.name, "PayloadNotDecodable");
  assert.match(s2.error!.message, /the result of task \d+ cannot be decoded: .*cannot rebuild a Fragile/);
  const after = await host.client.start(readOrch, "still running");
  assert.is((await host.client.wait(after, { timeoutMs: 10_000 })).status, "Completed");
  await host.stop();
});

test("a frame value the codec cannot keep fails the instance with FrameNotSerializable naming the local's path", async () => {
  const source = `
import { activity, orchestration } from "nwc";
export const tick = activity("tick", async (x: number) => x);
export const keepsGetter = orchestration("keepsGetter", async (ctx, n: number) => {
  const order: { items: unknown[] } = { items: [1, 2, 3, { get price() { return n; } }] };
  await ctx.call(tick, n);
  return order.items.length;
});`;
  const compiled = compileSource(new URL("./frame-app.ts", import.meta.url).pathname, source);
  assert.equal(compiled.diagnostics, []);
  const mod = [...(await loadCompiled(compiled.outputs)).values()][0] as Record<string, any>;
  const host = await startHost({ app: [mod.tick, mod.keepsGetter], backend: createMemoryBackend({ partitions: 1 }), partitions: 1, log: quiet });
  const id = await host.client.start(mod.keepsGetter, 5);
  const s = await host.client.wait(id, { timeoutMs: 10_000 });
  assert.is(s.status, "Failed");
  assert.is(s.error!.name, "FrameNotSerializable");
  assert.match(s.error!.message, /cannot serialize frame\.locals\.order\.items\[3\]: its property "price" is a getter or setter/);
  await host.stop();
});

test.run();
