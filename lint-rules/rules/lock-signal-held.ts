/** NWC4003: inside a critical section an orchestration may not signal an entity it holds (the signal would wait for its own lock). */
import ts from "typescript";
import { enclosingLockScopes, holds, isCtxCall } from "../lock-scopes.ts";
import { defineRule } from "../rule.ts";

export default defineRule({
  name: "no-signal-held-entity",
  code: "NWC4003",
  description: "Disallow signalling an entity that the enclosing critical section holds.",
  messages: {
    held: { message: "`{{entity}}` is signalled inside the critical section opened at line {{line}}, which holds it{{via}}", fix: "call it with {{ctx}}.entity(...) inside the section, or signal it after the section ends" },
  },
  create(context) {
    return {
      [ts.SyntaxKind.CallExpression]: (n) => {
        if (!isCtxCall(context.checker, n, "signal") || n.arguments.length < 2) return;
        const scope = enclosingLockScopes(context.checker, n)[0];
        if (!scope || holds(context.checker, scope, n.arguments[0]!, n.arguments[1]!) !== "held") return;
        const sf = n.getSourceFile();
        context.report({
          node: n, messageId: "held",
          data: { entity: `${n.arguments[0]!.getText()}(${n.arguments[1]!.getText()})`, line: String(sf.getLineAndCharacterOfPosition(scope.call.getStart()).line + 1) },
        });
      },
    };
  },
});
