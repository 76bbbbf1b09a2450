/**
 * Two builds of one application, as an author edits it: v1, and v2 with the
 * code after each await point changed (the await points themselves kept), in
 * four places an instance can wait: a loop, a try/finally, a Promise.all, and
 * async closures run by a Promise.all. v3 removes the loop's await.
 * Each orchestration sets the status "waiting" just before it first waits.
 */
import { compileSource } from "../../compiler/index.ts";
import { formatDiagnostic } from "../../compiler/diagnostics.ts";
import { loadCompiled } from "../../compiler/load.ts";

export const V1 = `import { orchestration, activity } from "nwc";
export const charge = activity("charge", async (x: number) => x * 10);
export const loop = orchestration("loop", async (ctx, items: string[]) => {
  const out: string[] = [];
  ctx.setStatus("waiting");
  for (const item of items) {
    const e = await ctx.waitForEvent<string>("go");
    out.push(item + ":" + e);
  }
  return out.join(",");
});
export const guarded = orchestration("guarded", async (ctx, n: number) => {
  let state = "start";
  ctx.setStatus("waiting");
  try {
    state = await ctx.waitForEvent<string>("go");
    return state;
  } finally {
    ctx.setStatus("v1 cleanup " + state);
  }
});
export const fanout = orchestration("fanout", async (ctx, n: number) => {
  ctx.setStatus("waiting");
  const [a, b] = await Promise.all([ctx.waitForEvent<string>("go"), ctx.call(charge, n)]);
  return a + b;
});
export const closures = orchestration("closures", async (ctx, n: number) => {
  const approve = async (who: string) => {
    const e = await ctx.waitForEvent<string>("go");
    return who + e;
  };
  ctx.setStatus("waiting");
  const r = await Promise.all([approve("a"), approve("b")]);
  return r.join(",");
});
`;

export const V2 = V1
  .replace(`out.push(item + ":" + e);`, `out.push(item.toUpperCase() + "=" + e);`)
  .replace(`return out.join(",");`, `return "v2 " + out.join(";");`)
  .replace(`ctx.setStatus("v1 cleanup " + state);`, `ctx.setStatus("v2 cleanup " + state);`)
  .replace(`return a + b;`, `return "v2 " + a + "/" + b;`)
  .replace(`return who + e;`, `return who.toUpperCase() + "=" + e;`)
  .replace(`return r.join(",");`, `return "v2 " + r.join(";");`);

export const V3 = V1.replace(`const e = await ctx.waitForEvent<string>("go");`, `const e = "none";`);

let builds = 0;

/** The module namespace of one build (its own file, so its own module hash). */
export async function build(source: string, upgradeAuto = false): Promise<Record<string, any>> {
  const text = upgradeAuto ? source.replace(/\n\}\);\n/g, `\n}, { upgrade: "auto" });\n`) : source;
  const r = compileSource(`/app/build${builds++}.ts`, text);
  if (r.diagnostics.length) throw new Error(r.diagnostics.map(formatDiagnostic).join("\n"));
  return [...(await loadCompiled(r.outputs)).values()][0]!;
}

/** What each orchestration is started with, and the events that finish it. */
export const RUNS = [
  { name: "loop", input: ["x", "y"], events: 2, v1: "x:e0,y:e1", v2: "v2 X=e0;Y=e1" },
  { name: "guarded", input: 1, events: 1, v1: "e0", v2: "e0" },
  { name: "fanout", input: 2, events: 1, v1: "e020", v2: "v2 e0/20" },
  { name: "closures", input: 1, events: 2, v1: "ae0,be1", v2: "v2 A=e0;B=e1" },
] as const;
