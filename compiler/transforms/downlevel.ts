/**
 * Second lowering: TypeScript's own ES5 generator transform (generators.ts)
 * turns the generator of async-to-generator.ts into a `__generator` body: a
 * switch over `label`, locals hoisted to `var`s of the outer function, block
 * scopes renamed apart, `try`/`finally` as [try, catch, finally, end] regions.
 *
 * Before:  function* (ctx, x) { const a = (yield [3, ctx.call(f, x)]); return a + 1; }
 * After:   function (ctx, x) { var a; return __generator(this, function (_a) {
 *            switch (_a.label) {
 *              case 0: return [4, [3, ctx.call(f, x)]];
 *              case 1: a = _a.sent(); return [2, a + 1];
 *            } }); }
 *
 * Invariant: the output has the semantics of the input generator under
 * tslib's `__generator` (runtime/engine/generator.ts implements the same
 * protocol over plain data); helpers are not inlined (`noEmitHelpers`), the
 * engine provides them.
 */
import ts from "typescript";

export function downlevel(generatorText: string): string {
  const out = ts.transpileModule(generatorText, {
    compilerOptions: {
      target: ts.ScriptTarget.ES5,
      module: ts.ModuleKind.ESNext,
      noEmitHelpers: true,
      importHelpers: false,
      downlevelIteration: false,
      removeComments: false,
      alwaysStrict: false,
      ignoreDeprecations: "6.0",
    } as ts.CompilerOptions,
    fileName: "orchestration.ts",
  });
  return out.outputText.replace(/^"use strict";\s*/, "");
}
