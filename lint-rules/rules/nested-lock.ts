/** NWC4001: critical sections do not nest: no `ctx.lock` or `ctx.transaction` inside a lock scope. */
import ts from "typescript";
import { enclosingLockScopes, isCtxCall } from "../lock-scopes.ts";
import { defineRule } from "../rule.ts";

export default defineRule({
  name: "no-nested-lock",
  code: "NWC4001",
  description: "Disallow ctx.lock and ctx.transaction inside a critical section.",
  messages: {
    nested: { message: "`{{name}}` opens a critical section inside the one opened at line {{line}}; critical sections do not nest{{via}}", fix: "lock every entity you need in the outer {{ctx}}.lock(...) call, or end that section first" },
  },
  create(context) {
    return {
      [ts.SyntaxKind.CallExpression]: (n) => {
        const isLock = isCtxCall(context.checker, n, "lock");
        if (!isLock && !isCtxCall(context.checker, n, "transaction")) return;
        const outer = enclosingLockScopes(context.checker, n)[0];
        if (!outer) return;
        const sf = n.getSourceFile();
        context.report({
          node: n, messageId: "nested",
          data: { name: isLock ? "lock" : "transaction", line: String(sf.getLineAndCharacterOfPosition(outer.call.getStart()).line + 1) },
        });
      },
    };
  },
});
