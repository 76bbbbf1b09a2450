// Parity: ESLint (Node API, the fixture project's one-line eslint.config.js with
// projectService) and `nwc check` (checkProgram over the project's tsconfig) report
// identical diagnostics over the same corpus: code, file, line, column, message.
import { test } from "uvu";
import * as assert from "uvu/assert";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { checkProject } from "../../cli/commands/check.ts";
import { RULES } from "../../lint-rules/index.ts";

const cwd = fileURLToPath(new URL("./fixtures/project/", import.meta.url));
const codeOf = new Map(RULES.map((r) => [`nwc/${r.name}`, r.code]));

test("ESLint and nwc check agree on every diagnostic of the corpus", async () => {
  const eslint = new ESLint({ cwd, overrideConfigFile: path.join(cwd, "eslint.config.js") });
  const results = await eslint.lintFiles(["src/**/*.ts"]);
  const fromEslint = results.flatMap((r) => r.messages.map((m) => {
    assert.ok(m.ruleId, `ESLint reported a problem without a rule: ${m.message}`);
    return `${codeOf.get(m.ruleId!) ?? m.ruleId} ${path.relative(cwd, r.filePath)}:${m.line}:${m.column} ${m.message}`;
  })).sort();

  const diagnostics = (await checkProject(path.join(cwd, "tsconfig.json"))).filter((d) => !d.code.startsWith("NWC3"));
  assert.equal(diagnostics.filter((d) => d.code.startsWith("TS")), [], "the corpus type-checks");
  const fromCheck = diagnostics.map((d) => `${d.code} ${path.relative(cwd, d.file)}:${d.line}:${d.column} ${d.message}. Fix: ${d.fix}`).sort();

  assert.equal(fromEslint, fromCheck);
  // The corpus is meant to exercise many rules in two files, not to agree on nothing.
  const codes = new Set(diagnostics.map((d) => d.code));
  assert.ok(codes.size >= 12, `only ${[...codes].join(", ")}`);
  assert.ok(diagnostics.some((d) => d.file.endsWith("helpers.ts") && d.message.includes("reached from orchestration")));
  // Effects only other modules hold: randomness in a helper module, and Math.random re-exported under another name.
  for (const at of ["NWC1003 src/random.ts:3:24", "NWC1003 src/lottery.ts:8:16"]) {
    assert.ok(fromEslint.some((l) => l.startsWith(at)), `ESLint misses ${at}`);
    assert.ok(fromCheck.some((l) => l.startsWith(at)), `nwc check misses ${at}`);
  }
});

test.run();
