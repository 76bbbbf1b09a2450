/**
 * NWC1015: a durable task created and then neither awaited, returned, stored nor
 * combined (`ctx.call(send, x);` as a statement) runs, but nothing ever observes its
 * failure: the orchestration goes on as if it had succeeded. Like typescript-eslint's
 * no-floating-promises; `void ctx.call(...)` says the result is ignored on purpose.
 * `ctx.signal(...)` is the fire-and-forget call and returns no task.
 */
import ts from "typescript";
import { defineRule } from "../rule.ts";
import { isDurable } from "./non-durable-await.ts";

export default defineRule({
  name: "no-floating-task",
  code: "NWC1015",
  description: "Require every durable task to be awaited, returned, stored or combined.",
  messages: {
    floating: {
      message: "a durable task is created and dropped: it runs, but its failure is never seen and nothing waits for it{{via}}",
      fix: "await it (or combine it with Promise.all), or write `void` before it to ignore its result on purpose; use {{ctx}}.signal(...) for fire-and-forget entity operations",
    },
  },
  create(context) {
    return {
      [ts.SyntaxKind.ExpressionStatement]: (n) => {
        let e = (n as ts.ExpressionStatement).expression;
        while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
        if (ts.isVoidExpression(e) || ts.isAwaitExpression(e)) return;
        // `a, b` and `c ? t1 : t2` drop their operands as well.
        const dropped = ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.CommaToken ? [e.left, e.right]
          : ts.isConditionalExpression(e) ? [e.whenTrue, e.whenFalse] : [e];
        const task = dropped.find((d) => (ts.isCallExpression(d) || ts.isIdentifier(d) || ts.isPropertyAccessExpression(d)) && isDurable(context, d));
        if (task) context.report({ node: task, messageId: "floating" });
      },
    };
  },
});
