// The orchestration the version tests edit: it says where it is, waits for an approval, and answers.
// `source(variant)` is the file's text; the variants change a setStatus string after the await point,
// then add an activity before it, which makes each a new version.
export type Variant = "v1" | "v2-after" | "v3-before";

export function source(variant: Variant, nwcImport = "nwc"): string {
  const before = variant === "v3-before" ? `  await ctx.call(note, "added before the wait");\n` : "";
  const after = variant === "v1" ? "approved by" : "signed off by";
  return [
    `import { activity, orchestration } from ${JSON.stringify(nwcImport)};`,
    `import { label } from "./helper.ts";`,
    `export const note = activity("note", async (text: string) => text);`,
    `export const approval = orchestration("approval", async (ctx, order: string) => {`,
    before + `  ctx.setStatus("waiting");`,
    `  const who = await ctx.waitForEvent<string>("approve");`,
    `  ctx.setStatus(${JSON.stringify(after)});`,
    `  return label(${JSON.stringify(variant)}, order, who);`,
    `});`,
    ``,
  ].join("\n");
}

/** A sync helper in its own module: stored with the orchestration that calls it. */
export const HELPER = `export function label(variant: string, order: string, who: string): string {\n  return variant + ":" + order + ":" + who;\n}\n`;
