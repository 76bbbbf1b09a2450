// A generator typed `any` in a for...of whose body awaits is refused when the
// loop starts (the typed case is NWC3020 at compile time): the instance fails
// with an error naming the construct and the fix, instead of the generator
// being read to its end before the body, as the loop would otherwise do.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startHost } from "../../runtime/host.ts";
import { compileModules } from "../entities/harness.ts";

const app = (await compileModules(["../runtime/fixtures/any-generator.ts"])).get("any-generator.ts");

test("an any-typed generator in an awaiting loop fails the instance; an any-typed array runs", async () => {
  const host = await startHost({ app: [app.double, app.overAnyGenerator, app.overAnyArray], backend: "memory", partitions: 1, log: () => {} });
  try {
    const refused = await host.client.wait(await host.client.start(app.overAnyGenerator, undefined), { timeoutMs: 20_000 });
    assert.is(refused.status, "Failed");
    assert.is(refused.error?.name, "TypeError");
    assert.match(refused.error!.message, /for\.\.\.of over a generator object with an await in the loop body.*NWC3020.*\[\.\.\.gen\]/);
    const fine = await host.client.wait(await host.client.start(app.overAnyArray, undefined), { timeoutMs: 20_000 });
    assert.is(fine.status, "Completed");
    assert.is(fine.output, 6);
  } finally {
    await host.stop();
  }
});

test("an any-typed user iterable or Map iterator in an awaiting loop fails the instance; an any-typed string runs by code points", async () => {
  const host = await startHost({
    app: [app.double, app.overAnyUserIterable, app.overAnyMapEntries, app.overAnyString], backend: "memory", partitions: 1, log: () => {},
  });
  try {
    const run = async (o: any) => host.client.wait(await host.client.start(o, undefined), { timeoutMs: 20_000 });
    const user = await run(app.overAnyUserIterable);
    assert.is(user.status, "Failed");
    assert.is(user.error?.name, "TypeError");
    assert.match(user.error!.message, /for\.\.\.of over an instance of Countdown with an await in the loop body.*NWC3020.*\[\.\.\.value\]/);
    const entries = await run(app.overAnyMapEntries);
    assert.is(entries.status, "Failed");
    assert.match(entries.error!.message, /for\.\.\.of over a Map Iterator with an await/);
    const text = await run(app.overAnyString);
    assert.is(text.status, "Completed");
    assert.is(text.output, "a:2 \u{1F600}:4 b:2");
  } finally {
    await host.stop();
  }
});

test("array destructuring with an await in its pattern: an any-typed generator fails the instance, a string runs", async () => {
  const host = await startHost({ app: [app.double, app.patternOverAnyGenerator, app.patternOverAnyString], backend: "memory", partitions: 1, log: () => {} });
  try {
    const run = async (o: any) => host.client.wait(await host.client.start(o, undefined), { timeoutMs: 20_000 });
    const refused = await run(app.patternOverAnyGenerator);
    assert.is(refused.status, "Failed");
    assert.match(refused.error!.message, /array destructuring of a Generator with an await in the pattern.*NWC3020/);
    const text = await run(app.patternOverAnyString);
    assert.is(text.status, "Completed");
    assert.is(text.output, "2b");
  } finally {
    await host.stop();
  }
});

test.run();
