// NWC2001 reports at compile time what the codec would refuse at run time, where the type
// (or the literal) shows it; what the codec keeps (Buffer) is not reported.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compileSource } from "../../compiler/index.ts";

function diagnosticsOf(body: string): string[] {
  const source = `
import { activity, orchestration } from "nwc";
const tick = activity("tick", async (x: number) => x);
export const o = orchestration("o", async (ctx, n: number) => {
${body}
});`;
  return compileSource(new URL("./serializable-values-app.ts", import.meta.url).pathname, source).diagnostics.map((d) => `${d.code}: ${d.message}`);
}

test("a getter, a setter, a symbol-keyed property and an array hole kept across an await are NWC2001", () => {
  const got = diagnosticsOf(`
  const key = Symbol("k");
  const priced = { get price() { return n; } };
  const settable = { set v(x: number) {} };
  const tagged = { [key]: 1 };
  const sparse = [1, , 3];
  await ctx.call(tick, n);
  return [priced.price, settable, tagged[key], sparse.length];`);
  const nwc2001 = got.filter((d) => d.startsWith("NWC2001"));
  assert.equal(nwc2001.length, 5, got.join("\n"));
  assert.ok(nwc2001.some((d) => /`priced` is an object with the accessor `price`/.test(d)), got.join("\n"));
  assert.ok(nwc2001.some((d) => /`settable` is an object with the accessor `v`/.test(d)), got.join("\n"));
  assert.ok(nwc2001.some((d) => /`tagged` is an object with a symbol-keyed property/.test(d)), got.join("\n"));
  assert.ok(nwc2001.some((d) => /`sparse` is an array with a hole/.test(d)), got.join("\n"));
});

test("plain data, a filled array and typed arrays are not reported", () => {
  assert.equal(diagnosticsOf(`
  const plain = { price: n, items: [1, undefined, 3] };
  const bytes = new Uint8Array(2);
  await ctx.call(tick, n);
  return [plain, bytes.length];`), []);
});

test.run();
