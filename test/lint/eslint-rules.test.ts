// The ESLint plugin through @typescript-eslint/rule-tester: for every rule, the
// flagged cases of cases.ts report that rule's findings at the marked line and
// column (and offer the mechanical rewrite where there is one), and the
// look-alikes report nothing. Type information comes from projectService over
// fixtures/rule-tester/tsconfig.json, as in a user's editor.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fileURLToPath } from "node:url";
import { RuleTester } from "@typescript-eslint/rule-tester";
import { Linter } from "eslint";
import plugin from "../../lint-rules/eslint-plugin.ts";
import { RULES } from "../../lint-rules/index.ts";
import { ACCEPTED, expectations, FLAGGED, orch } from "./cases.ts";
import { analyze } from "./harness.ts";

RuleTester.afterAll = () => {};
RuleTester.describe = (_name: string, fn: () => void) => fn();
RuleTester.it = (name: string, fn: () => void) => test(name, fn);
RuleTester.itOnly = (name: string, fn: () => void) => test.only(name, fn);

const tsconfigRootDir = fileURLToPath(new URL("./fixtures/rule-tester/", import.meta.url));
const FILE = `${tsconfigRootDir}file.ts`;
const tester = new RuleTester({
  languageOptions: { parserOptions: { projectService: true, tsconfigRootDir } },
});

const singleFile = (c: { files: Record<string, string> }) => Object.keys(c.files).length === 1;
// Each rule meets the look-alikes written for it (rules.test.ts runs every look-alike against every rule).
const validFor = (code: string) => ACCEPTED.filter((c) => singleFile(c) && c.lookalikeFor?.includes(code))
  .map((c) => ({ name: c.name, code: Object.values(expectations(c.files).sources)[0]!, filename: FILE }));

for (const rule of RULES) {
  const invalid = FLAGGED.filter(singleFile).flatMap((c) => {
    const { sources, expected } = expectations(c.files);
    const code = Object.values(sources)[0]!;
    const mine = expected.filter((e) => e.startsWith(`${rule.code}@`));
    if (mine.length === 0) return [];
    // The suggestion texts themselves are asserted in the tests below; here ESLint must apply them.
    const findings = analyze(sources).findings.filter((f) => f.code === rule.code);
    const errors = mine
      .map((e) => { const [, , line, column] = /^(NWC\d+)@[^:]+:(\d+):(\d+)$/.exec(e)!; return { line: Number(line), column: Number(column) }; })
      .sort((a, b) => a.line - b.line || a.column - b.column)
      .map(({ line, column }) => {
        const f = findings.find((x) => x.line === line && x.column === column);
        const suggestions = f?.suggestion ? [{ messageId: "suggestion" as const, output: code.slice(0, f.suggestion.start) + f.suggestion.text + code.slice(f.suggestion.end) }] : [];
        return { messageId: (f?.messageId ?? Object.keys(rule.messages)[0]!) as never, line, column, suggestions };
      });
    return [{ name: c.name, code, filename: FILE, errors }];
  });
  const valid = validFor(rule.code);
  assert.ok(valid.length > 0, `${rule.code} has no look-alike`);
  tester.run(rule.name, plugin.rules[rule.name] as never, { valid, invalid: invalid as never });
}

tester.run("no-date-now (suggestion uses the ctx parameter's name)", plugin.rules["no-date-now"] as never, {
  valid: [],
  invalid: [{
    code: `import { orchestration } from "nwc";\nexport const o = orchestration("o", async (context, x: number) => Date.now() + x);\n`,
    filename: FILE,
    errors: [{
      messageId: "effect" as never, line: 2, column: 67,
      suggestions: [{ messageId: "suggestion" as never, output: `import { orchestration } from "nwc";\nexport const o = orchestration("o", async (context, x: number) => context.now() + x);\n` }],
    }],
  }],
});

tester.run("no-math-random and no-new-date suggestions", plugin.rules["no-math-random"] as never, {
  valid: [],
  invalid: [{
    code: Object.values(orch(`  const r = Math.random();`))[0]!,
    filename: FILE,
    errors: [{ messageId: "effect" as never, line: 4, column: 13, suggestions: [{ messageId: "suggestion" as never, output: Object.values(orch(`  const r = ctx.random();`))[0]! }] }],
  }],
});

test("the plugin exposes one ESLint rule per shared rule, and a one-line recommended config", () => {
  assert.equal(Object.keys(plugin.rules).sort(), RULES.map((r) => r.name).sort());
  const rec = plugin.configs.recommended as { rules: Record<string, string>; languageOptions: { parserOptions: { projectService: boolean } }; plugins: { nwc: unknown } };
  assert.is(rec.plugins.nwc, plugin);
  assert.is(rec.languageOptions.parserOptions.projectService, true);
  assert.equal(Object.keys(rec.rules).sort(), RULES.map((r) => `nwc/${r.name}`).sort());
  for (const r of RULES) assert.ok(plugin.rules[r.name]!.meta.docs.description.startsWith(r.code));
});

test("without type information the rules stop with the set-up to use", () => {
  const linter = new Linter();
  assert.throws(
    () => linter.verify("const a = Date.now();", [{ plugins: { nwc: plugin as never }, rules: { "nwc/no-date-now": "error" } }], { filename: "x.js" }),
    /nwc\/no-date-now needs type information: use @typescript-eslint\/parser with parserOptions: \{ projectService: true \}/,
  );
});

test.run();
