// nwc/register: files with orchestrations are compiled on import; diagnostics fail the import.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { activitiesOf, runCompiled } from "./harness.ts";

await import("nwc/register");

test("an orchestration module imported after nwc/register is a compiled machine", async () => {
  const mod = (await import("./fixtures/registered-app.ts")) as any;
  assert.ok(mod.loud.machine, "loud should carry a compiled machine");
  assert.is(mod.loud.fn, undefined);
  const r = await runCompiled(mod.loud.machine, ["a", "b"], activitiesOf(mod), 1);
  assert.equal(r.outcome, { ok: true, value: JSON.stringify("A B") });
  assert.equal(r.trace, ['call:shout("a")', 'call:shout("b")']);
});

test("a single-file app type-checks against all of nwc (startHost) and @types/node (console), then runs", async () => {
  const mod = (await import("./fixtures/registered-script.ts")) as any;
  assert.ok(mod.loud.machine, "loud should carry a compiled machine");
  assert.equal(await mod.runOnce(["a", "b"]), "A B");
});

test("a module the compiler rejects fails to import, listing the diagnostics", async () => {
  try {
    await import("./fixtures/registered-bad.ts");
    assert.unreachable("the import should fail");
  } catch (e) {
    assert.match(String((e as Error).message), /NWC3001/);
    assert.match(String((e as Error).message), /registered-bad\.ts:5/);
  }
});

test.run();
