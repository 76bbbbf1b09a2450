/**
 * `then`, `catch` and `finally` on a durable task: which calls the compiler turns into
 * a branch awaiting the task (compiler/transforms/task-then.ts), so which the rules
 * count as durable. Shared so that both agree.
 */
import ts from "typescript";

export const TASK_METHODS = new Set(["then", "catch", "finally"]);

/** Callback arguments the lowering accepts: omitted, `undefined`, `null`, or a function written inline. */
export function isInlineCallback(e: ts.Expression): boolean {
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return ts.isArrowFunction(e) || ts.isFunctionExpression(e) || e.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(e) && e.text === "undefined");
}
