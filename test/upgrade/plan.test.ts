// The upgrade planner on real compiled versions: an instance runs on the old machine until it waits,
// its frame is planned onto the new one, and (when carried) it finishes with the new code's behaviour.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { planUpgrade } from "../../runtime/upgrade/plan.ts";
import { compileVersions, Driver } from "./versions.ts";

const HEAD = `import { orchestration, activity } from "nwc";\nconst charge = activity("charge", async (x: number) => x * 10);\nconst audit = activity("audit", async (x: string) => x);\n`;

/** Runs `old` until it waits for "go", plans onto `neu`, and raises "go" on whichever machine it ends up on. */
async function upgradeAtEvent(oldSrc: string, newSrc: string, input: unknown = 3) {
  const [old, neu] = await compileVersions("o", [HEAD + oldSrc, HEAD + newSrc]);
  const d = new Driver(old!, input, (n, i) => (n === "charge" ? (i as number) * 10 : i));
  assert.equal(d.outcome.kind, "running");
  const plan = planUpgrade(old!, neu!, d.frame);
  if (plan.ok) d.switchTo(neu!, plan.frame);
  d.raise("go", "ev");
  return { plan, d };
}

test("an edit after the await point is carried: the new code runs from the await on", async () => {
  const { plan, d } = await upgradeAtEvent(
    `export const o = orchestration("o", async (ctx, n: number) => {
      const total = await ctx.call(charge, n);
      const e = await ctx.waitForEvent<string>("go");
      ctx.setStatus("old");
      return total + e;
    });`,
    `export const o = orchestration("o", async (ctx, n: number) => {
      const total = await ctx.call(charge, n);
      const e = await ctx.waitForEvent<string>("go");
      ctx.setStatus("new");
      const extra = await ctx.call(audit, "after " + e);
      return total + e + extra;
    });`);
  assert.ok(plan.ok, plan.ok ? "" : plan.reason);
  assert.equal(d.outcome, { kind: "completed", output: "30evafter ev" });
  assert.equal(d.trace, ["call charge 3", "event go", 'status "new"', 'call audit "after ev"']);
});

test("an activity added before the await does not run for a waiting instance; the later awaits are carried", async () => {
  const { plan, d } = await upgradeAtEvent(
    `export const o = orchestration("o", async (ctx, n: number) => {
      const total = await ctx.call(charge, n);
      const e = await ctx.waitForEvent<string>("go");
      return total + e;
    });`,
    `export const o = orchestration("o", async (ctx, n: number) => {
      await ctx.call(audit, "start");
      const total = await ctx.call(charge, n);
      const e = await ctx.waitForEvent<string>("go");
      return total + e;
    });`);
  assert.ok(plan.ok, plan.ok ? "" : plan.reason);
  if (plan.ok) assert.equal(plan.moves.map((m) => [m.fromLine, m.toLine]), [[6, 7]]);
  assert.equal(d.outcome, { kind: "completed", output: "30ev" });
  assert.equal(d.trace, ["call charge 3", "event go"]);
});

test("a local the code before the await would set, read after it, is refused", async () => {
  const { plan, d } = await upgradeAtEvent(
    `export const o = orchestration("o", async (ctx, n: number) => {
      const e = await ctx.waitForEvent<string>("go");
      return e;
    });`,
    `export const o = orchestration("o", async (ctx, n: number) => {
      const first = await ctx.call(audit, "start");
      const e = await ctx.waitForEvent<string>("go");
      return first + e;
    });`);
  assert.equal(plan.ok ? "" : plan.reason, "local `first` is read after the await at line 6 in the new version, but the old version does not keep it there");
  assert.equal(d.outcome, { kind: "completed", output: "ev" });
});

test("a removed await is named with its line", async () => {
  const { plan } = await upgradeAtEvent(
    `export const o = orchestration("o", async (ctx, n: number) => {
      const e = await ctx.waitForEvent<string>("go");
      return e;
    });`,
    `export const o = orchestration("o", async (ctx, n: number) => {
      const e = await ctx.waitForEvent<string>("start");
      return e;
    });`);
  assert.equal(plan.ok ? "" : plan.reason, 'await at line 5 removed (no `await ctx.waitForEvent<string>("go")` in the same loop, try and branch structure)');
});

test("a local whose type changed is refused; a widened union is carried", async () => {
  const body = (type: string) => `export const o = orchestration("o", async (ctx, n: number) => {
      let total: ${type} = await ctx.call(charge, n);
      const e = await ctx.waitForEvent<string>("go");
      return String(total) + e;
    });`;
  const changed = await upgradeAtEvent(body("number"), body("string").replace("= await ctx.call(charge, n)", "= String(await ctx.call(charge, n))"));
  assert.equal(changed.plan.ok ? "" : changed.plan.reason, "local `total` changed type from number to string");
  const widened = await upgradeAtEvent(body("number"), body("number | undefined"));
  assert.ok(widened.plan.ok, widened.plan.ok ? "" : widened.plan.reason);
  assert.equal(widened.d.outcome, { kind: "completed", output: "30ev" });
});

test("a local that no longer exists is refused", async () => {
  const { plan } = await upgradeAtEvent(
    `export const o = orchestration("o", async (ctx, n: number) => {
      const total = await ctx.call(charge, n);
      const e = await ctx.waitForEvent<string>("go");
      return total + e;
    });`,
    `export const o = orchestration("o", async (ctx, n: number) => {
      await ctx.call(charge, n);
      const e = await ctx.waitForEvent<string>("go");
      return e;
    });`);
  assert.equal(plan.ok ? "" : plan.reason, "local `total` no longer exists at the await at line 6");
});

test("inside a loop: the loop's state is carried and the new body runs for the remaining items", async () => {
  const { plan, d } = await upgradeAtEvent(
    `export const o = orchestration("o", async (ctx, n: number) => {
      const out: string[] = [];
      for (const item of ["a", "b", "c"]) {
        out.push(await ctx.waitForEvent<string>("go"));
        ctx.setStatus("old " + item);
      }
      return out.join(",");
    });`,
    `export const o = orchestration("o", async (ctx, n: number) => {
      const out: string[] = [];
      // edited: the status says more
      for (const item of ["a", "b", "c"]) {
        out.push(await ctx.waitForEvent<string>("go"));
        ctx.setStatus("new " + item + " " + out.length);
      }
      return out.join(",");
    });`);
  assert.ok(plan.ok, plan.ok ? "" : plan.reason);
  d.raise("go", "e2");
  d.raise("go", "e3");
  assert.equal(d.outcome, { kind: "completed", output: "ev,e2,e3" });
  assert.equal(d.trace.filter((t) => t.startsWith("status")), ['status "new a 1"', 'status "new b 2"', 'status "new c 3"']);
});

test("inside try/finally: the new finally runs", async () => {
  const { plan, d } = await upgradeAtEvent(
    `export const o = orchestration("o", async (ctx, n: number) => {
      try {
        return await ctx.waitForEvent<string>("go");
      } finally {
        ctx.setStatus("old cleanup");
      }
    });`,
    `export const o = orchestration("o", async (ctx, n: number) => {
      const started = "x";
      try {
        return await ctx.waitForEvent<string>("go");
      } finally {
        await ctx.call(audit, "cleanup");
        ctx.setStatus("new cleanup");
      }
    });`);
  assert.ok(plan.ok, plan.ok ? "" : plan.reason);
  assert.equal(d.outcome, { kind: "completed", output: "ev" });
  assert.equal(d.trace, ["event go", 'call audit "cleanup"', 'status "new cleanup"']);
});

test("in Promise.all branches and async closures: every branch moves", async () => {
  const { plan, d } = await upgradeAtEvent(
    `export const o = orchestration("o", async (ctx, n: number) => {
      const one = async (k: number) => { const e = await ctx.waitForEvent<string>("go"); return e + k; };
      const r = await Promise.all([one(1), (async () => { await ctx.call(charge, 1); return "c"; })()]);
      return r.join("+");
    });`,
    `export const o = orchestration("o", async (ctx, n: number) => {
      const one = async (k: number) => { const e = await ctx.waitForEvent<string>("go"); return e + "/" + k * 2; };
      const r = await Promise.all([one(1), (async () => { await ctx.call(charge, 1); return "c"; })()]);
      ctx.setStatus("joined");
      return r.join(" + ");
    });`);
  assert.ok(plan.ok, plan.ok ? "" : plan.reason);
  assert.equal(d.outcome, { kind: "completed", output: "ev/2 + c" });
});

test("an await inside an expression: the part evaluated before it is carried only if that statement is unchanged", async () => {
  const old = `export const o = orchestration("o", async (ctx, n: number) => {
      const out: string[] = [];
      out.push("a:" + (await ctx.waitForEvent<string>("go")));
      return out.join(",");
    });`;
  const same = await upgradeAtEvent(old, old.replace(`return out.join(",");`, `return out.join(";") + "!";`));
  assert.ok(same.plan.ok, same.plan.ok ? "" : same.plan.reason);
  assert.equal(same.d.outcome, { kind: "completed", output: "a:ev!" });
  const edited = await upgradeAtEvent(old, old.replace(`out.push("a:" + (await`, `out.unshift("b=" + (await`));
  assert.equal(edited.plan.ok ? "" : edited.plan.reason,
    'the statement around the await at line 6 changed, and the instance holds the part of it evaluated before the await (`out.push("a:" + (await ctx.waitForEvent<string>("go")));`)');
});

test("a finished instance is not waiting at an await point", async () => {
  const [old, neu] = await compileVersions("o", [HEAD + `export const o = orchestration("o", async (ctx, n: number) => n);`, HEAD + `export const o = orchestration("o", async (ctx, n: number) => n + 1);`]);
  const d = new Driver(old!, 1);
  assert.equal(d.outcome.kind, "completed");
  const plan = planUpgrade(old!, neu!, d.frame);
  assert.equal(plan.ok ? "" : plan.reason, "instance is not waiting at an await point (it has ended)");
});

test.run();
