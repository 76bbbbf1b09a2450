// Every rule over in-memory programs: each marked spot is reported with its code,
// line and column, nothing else is; look-alikes are not reported; and every test
// program type-checks (a program with type errors would prove nothing).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { analyze, check, summary, VIRTUAL } from "./harness.ts";
import { ACCEPTED, expectations, FLAGGED } from "./cases.ts";
import { RULES } from "../../lint-rules/index.ts";

for (const c of FLAGGED) {
  test(`flagged: ${c.name}`, () => {
    const { sources, expected } = expectations(c.files);
    const { findings, typeErrors } = analyze(sources);
    assert.equal(typeErrors, [], "the case must type-check");
    const found = findings.map((f) => `${f.code}@${f.file.slice(VIRTUAL.length)}:${f.line}:${f.column}`).sort();
    assert.equal(found, expected);
  });
}

for (const c of ACCEPTED) {
  test(`accepted: ${c.name}`, () => {
    const { sources } = expectations(c.files);
    const { findings, typeErrors } = analyze(sources);
    assert.equal(typeErrors, [], "the case must type-check");
    assert.equal(summary(findings), []);
  });
}

test("every rule is exercised by a flagged case", () => {
  const all = FLAGGED.flatMap((c) => expectations(c.files).expected.map((e) => e.slice(0, 7)));
  for (const r of RULES) assert.ok(all.includes(r.code), `${r.code} (${r.name}) has no flagged case`);
});

test("messages carry the fix with the ctx parameter's own name and the call chain", () => {
  const direct = check(`import { orchestration } from "nwc";\nexport const o = orchestration("o", async (c, x: number) => Date.now() + x);\n`);
  assert.is(direct.length, 1);
  assert.is(direct[0]!.fix, "use c.now()");
  assert.is(direct[0]!.expression, "Date.now()");
  assert.is(direct[0]!.message, "`Date.now()` reads the wall clock, which differs when a step runs again");
  assert.equal(direct[0]!.suggestion && { text: direct[0]!.suggestion.text }, { text: "c.now()" });
  const { sources } = expectations(FLAGGED.find((c) => c.name.startsWith("transitively"))!.files);
  const chained = check(sources).find((f) => f.code === "NWC1003")!;
  assert.ok(chained.message.endsWith('(reached from orchestration "o" through stamp -> inner)'), chained.message);
  assert.is(chained.fix, "use ctx.random()");
  assert.is(chained.suggestion, undefined, "no ctx in scope inside the helper, so no mechanical rewrite");
});

test("serializability message names the local, the reason and the await line", () => {
  const f = check(`import { orchestration } from "nwc";\nexport const o = orchestration("o", async (ctx, x: number) => {\n  const cb = () => x;\n  await ctx.sleep(1);\n  return cb();\n});\n`);
  assert.equal(summary(f), ["NWC2001@3:9"]);
  assert.is(f[0]!.message, "`cb` is a function and is live across the `await` at line 4, so it cannot be saved in the frame");
});

test("checkProgram reports only the requested files, without the editor-only fields", async () => {
  const { checkProgram } = await import("../../lint-rules/index.ts");
  const { programOf } = await import("./harness.ts");
  const { sources } = expectations(FLAGGED.find((c) => c.name.startsWith("transitively"))!.files);
  const program = programOf(sources);
  const all = checkProgram(program);
  assert.equal(all.map((d) => d.file).sort(), ["/virtual/util.ts", "/virtual/util.ts"]);
  assert.not.ok("rootFile" in all[0]!, "the diagnostic shape is the shared NwcDiagnostic");
  // util.ts has no orchestration: compiling it alone reports what it contains...
  assert.is(checkProgram(program, { files: ["/virtual/util.ts"] }).length, 2);
  // ...and compiling main.ts alone reports the effects its orchestration reaches in util.ts.
  assert.equal(checkProgram(program, { files: ["/virtual/main.ts"] }), all);
  const other = programOf({ ...sources, "other.ts": "export const x = 1;\n" });
  assert.equal(checkProgram(other, { files: ["/virtual/other.ts"] }), []);
  assert.equal(Object.keys(all[0]!).sort(), ["code", "column", "endColumn", "endLine", "expression", "file", "fix", "line", "message"]);
});

test.run();
