/**
 * NWC1016: `ctx.continueAsNew(input)` only builds the marker an orchestration returns;
 * called as a statement (or kept in a local) it does nothing, and the orchestration
 * goes on. It must be what the orchestration returns: `return ctx.continueAsNew(input)`.
 */
import ts from "typescript";
import { isCtxCall } from "../lock-scopes.ts";
import { defineRule } from "../rule.ts";

/** Is the value of `e` returned by its function (through parentheses, casts and conditionals)? */
function isReturned(e: ts.Node): boolean {
  let n = e;
  while (ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isNonNullExpression(n.parent) || ts.isSatisfiesExpression(n.parent)
    || (ts.isConditionalExpression(n.parent) && n.parent.condition !== n)) n = n.parent;
  return ts.isReturnStatement(n.parent) || (ts.isArrowFunction(n.parent) && n.parent.body === n);
}

export default defineRule({
  name: "continue-as-new-returned",
  code: "NWC1016",
  description: "Require ctx.continueAsNew(input) to be returned; elsewhere it does nothing.",
  messages: {
    notReturned: {
      message: "`continueAsNew` only takes effect when the orchestration returns its result; here it is not returned, so the orchestration goes on{{via}}",
      fix: "write `return {{ctx}}.continueAsNew(...)`",
    },
  },
  create(context) {
    return {
      [ts.SyntaxKind.CallExpression]: (n) => {
        if (isCtxCall(context.checker, n, "continueAsNew") && !isReturned(n)) context.report({ node: n, messageId: "notReturned" });
      },
    };
  },
});
