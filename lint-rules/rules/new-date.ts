/**
 * NWC1002: `new Date()` without arguments (and `Date()` called as a function)
 * read the wall clock. `new Date(ctx.now())`, `new Date(x)` and `Date.UTC(...)`
 * are fine: they only convert a value.
 */
import ts from "typescript";
import { resolveTarget } from "../resolve.ts";
import { defineRule } from "../rule.ts";

function isGlobalDate(program: ts.Program, callee: ts.Expression): boolean {
  const target = resolveTarget(program, callee);
  return !!target && target.module === undefined && (target.path === "Date" || target.path === "DateConstructor");
}

export default defineRule({
  name: "no-new-date",
  code: "NWC1002",
  description: "Disallow new Date() without arguments in orchestration code; use new Date(ctx.now()).",
  messages: {
    newDate: { message: "`new Date()` without arguments reads the wall clock, which differs when a step runs again{{via}}", fix: "use new Date({{ctx}}.now())" },
    dateCall: { message: "`Date()` called as a function returns the current time as a string{{via}}", fix: "use new Date({{ctx}}.now()).toString()" },
  },
  create(context) {
    return {
      [ts.SyntaxKind.NewExpression]: (n) => {
        const node = n as ts.NewExpression;
        if ((node.arguments?.length ?? 0) > 0 || !isGlobalDate(context.program, node.expression)) return;
        const ctx = context.ctxNameAt(node);
        context.report({ node, messageId: "newDate", suggestion: ctx ? { description: `Replace with new Date(${ctx}.now())`, node, text: `new Date(${ctx}.now())` } : undefined });
      },
      [ts.SyntaxKind.CallExpression]: (n) => {
        const node = n as ts.CallExpression;
        if (isGlobalDate(context.program, node.expression)) context.report({ node, messageId: "dateCall" });
      },
    };
  },
});
