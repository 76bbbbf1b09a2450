/**
 * NWC1002: `new Date()` without arguments (and `Date()` called as a function)
 * read the wall clock. So does constructing, without arguments, a class that
 * extends Date without a constructor of its own (`new (class extends Date {})()`:
 * the implicit constructor forwards no arguments), and `super()` without
 * arguments in a constructor of such a class. `new Date(ctx.now())`,
 * `new Date(x)` and `Date.UTC(...)` are fine: they only convert a value.
 */
import ts from "typescript";
import { baseExpression, classOf, resolveTarget, userBaseClass } from "../resolve.ts";
import { defineRule } from "../rule.ts";

/** How many classes deep `class A extends B`, `B extends Date` is followed. */
const MAX_CLASS_DEPTH = 8;

function isGlobalDate(program: ts.Program, callee: ts.Expression): boolean {
  const target = resolveTarget(program, callee);
  return !!target && target.module === undefined && (target.path === "Date" || target.path === "DateConstructor");
}

/** A user class whose construction without arguments reaches `Date` with none: no constructor of its own down to Date. */
function forwardsToDate(program: ts.Program, callee: ts.Expression): boolean {
  let cls = classOf(program.getTypeChecker(), callee);
  for (let depth = 0; cls && depth < MAX_CLASS_DEPTH; depth++) {
    if (cls.members.some(ts.isConstructorDeclaration)) return false;
    const base = baseExpression(cls);
    if (base && isGlobalDate(program, base)) return true;
    cls = userBaseClass(program, cls);
  }
  return false;
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
        if ((node.arguments?.length ?? 0) > 0) return;
        if (!isGlobalDate(context.program, node.expression) && !forwardsToDate(context.program, node.expression)) return;
        const ctx = context.ctxNameAt(node);
        context.report({ node, messageId: "newDate", suggestion: ctx ? { description: `Replace with new Date(${ctx}.now())`, node, text: `new Date(${ctx}.now())` } : undefined });
      },
      [ts.SyntaxKind.CallExpression]: (n) => {
        const node = n as ts.CallExpression;
        if (!isGlobalDate(context.program, node.expression)) return;
        // `super()` in a class extending Date constructs one: reading the clock without arguments only.
        if (node.expression.kind === ts.SyntaxKind.SuperKeyword) {
          if (node.arguments.length === 0) context.report({ node, messageId: "newDate" });
          return;
        }
        context.report({ node, messageId: "dateCall" });
      },
    };
  },
});
