/** NWC4002: inside a critical section an orchestration may call only entities it holds. */
import ts from "typescript";
import { enclosingLockScopes, holds, isCtxCall } from "../lock-scopes.ts";
import { defineRule } from "../rule.ts";

export default defineRule({
  name: "no-unheld-entity-call",
  code: "NWC4002",
  description: "Disallow calling an entity that the enclosing critical section does not hold.",
  messages: {
    unheld: { message: "`{{entity}}` is called inside the critical section opened at line {{line}}, which does not hold it{{via}}", fix: "add its id to the {{ctx}}.lock(...) call, or call it after the section ends" },
  },
  create(context) {
    return {
      [ts.SyntaxKind.CallExpression]: (n) => {
        if (!isCtxCall(context.checker, n, "entity") || n.arguments.length < 2) return;
        const scope = enclosingLockScopes(context.checker, n)[0];
        if (!scope || holds(context.checker, scope, n.arguments[0]!, n.arguments[1]!) !== "not-held") return;
        const sf = n.getSourceFile();
        context.report({
          node: n, messageId: "unheld",
          data: { entity: `${n.arguments[0]!.getText()}(${n.arguments[1]!.getText()})`, line: String(sf.getLineAndCharacterOfPosition(scope.call.getStart()).line + 1) },
        });
      },
    };
  },
});
