/**
 * `task.then(f, g)`, `task.catch(g)`, `task.finally(h)` on a durable task: a task has no
 * `then` in the frame (a callback cannot be saved), so the call becomes a compiled async
 * closure called at once, which awaits the task and calls the callback written inline.
 * Part of the first lowering (async-to-generator.ts); the callbacks are already visited.
 *
 * Before:  ctx.sleep(ms).then(() => "timeout")
 * After:   __nwcAsync(N, function* () { let __nwc_v; __nwc_v = (yield [line, ctx.sleep(ms)]); return (() => "timeout")(__nwc_v); })()
 *
 * Invariant: the result settles in the same job as JavaScript's promise would. A reaction
 * runs one job after the task settles, and so does the resumption after `yield`; a callback
 * returning a task settles the result two jobs after it, as an async function returning a
 * task does (run.ts). `finally` settles its result two jobs after the callback's value (or
 * task) settled: JavaScript's `PromiseResolve(r).then(() => value)` then adopting that
 * promise, reproduced by one extra `yield` of a plain value.
 * The callbacks are evaluated when the reaction runs instead of at the call: the same,
 * since only function expressions written inline are accepted (unsupported.ts, NWC3018).
 */
import ts from "typescript";
import { isNwcType } from "../../lint-rules/discover.ts";
import { isInlineCallback, TASK_METHODS } from "../../lint-rules/task-methods.ts";

export { isInlineCallback };

/**
 * Is `e` typed as nwc's `Task` or as a Promise? In compiled code every promise is a task
 * (ctx calls, combinators, compiled async functions); one that is not is NWC1014, and
 * the engine refuses to await it.
 */
export function isTaskTyped(checker: ts.TypeChecker, e: ts.Expression): boolean {
  const t = checker.getTypeAtLocation(e);
  return (t.isUnion() ? t.types : [t]).every((x) => isNwcType(x, "Task") || (x.getSymbol()?.name === "Promise" && !!x.getSymbol()?.declarations?.every((d) => d.getSourceFile().isDeclarationFile)));
}

/** `task.then(...)` / `.catch` / `.finally` on a task (lowered here when the callbacks are inline). */
export function isTaskMethodCall(checker: ts.TypeChecker, n: ts.Node): n is ts.CallExpression & { expression: ts.PropertyAccessExpression } {
  return ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && TASK_METHODS.has(n.expression.name.text) &&
    isTaskTyped(checker, n.expression.expression);
}

function isAbsent(e: ts.Expression | undefined): boolean {
  while (e && ts.isParenthesizedExpression(e)) e = e.expression;
  return !e || e.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(e) && e.text === "undefined");
}

/** The body of the closure for `task.<method>(...callbacks)`; `yieldOf(e)` builds `(yield [line, e])`. */
export function taskMethodBody(f: ts.NodeFactory, method: string, task: ts.Expression, callbacks: ts.Expression[], yieldOf: (e: ts.Expression) => ts.Expression): ts.Statement[] {
  const id = (n: string) => f.createIdentifier(n);
  const call = (fn: ts.Expression, args: ts.Expression[]) => f.createCallExpression(f.createParenthesizedExpression(fn), undefined, args);
  const letVars = (...names: string[]) => f.createVariableStatement(undefined, f.createVariableDeclarationList(names.map((n) => f.createVariableDeclaration(n)), ts.NodeFlags.Let));
  const set = (n: string, e: ts.Expression) => f.createExpressionStatement(f.createAssignment(id(n), e));
  if (method === "finally") {
    const h = callbacks[0];
    const settled = [letVars("__nwc_ok", "__nwc_v"),
      f.createTryStatement(f.createBlock([set("__nwc_v", yieldOf(task)), set("__nwc_ok", f.createTrue())], true),
        f.createCatchClause("__nwc_e", f.createBlock([set("__nwc_v", id("__nwc_e")), set("__nwc_ok", f.createFalse())], true)), undefined)];
    const rethrow = f.createIfStatement(f.createLogicalNot(id("__nwc_ok")), f.createThrowStatement(id("__nwc_v")));
    if (isAbsent(h)) return [...settled, rethrow, f.createReturnStatement(id("__nwc_v"))];
    return [
      ...settled,
      f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration("__nwc_r", undefined, undefined, call(h!, []))], ts.NodeFlags.Const)),
      letVars("__nwc_hok", "__nwc_he"),
      set("__nwc_hok", f.createTrue()),
      f.createTryStatement(f.createBlock([f.createExpressionStatement(yieldOf(id("__nwc_r")))], true),
        f.createCatchClause("__nwc_e", f.createBlock([set("__nwc_he", id("__nwc_e")), set("__nwc_hok", f.createFalse())], true)), undefined),
      f.createExpressionStatement(yieldOf(f.createVoidZero())),
      f.createIfStatement(f.createLogicalNot(id("__nwc_hok")), f.createThrowStatement(id("__nwc_he"))),
      rethrow,
      f.createReturnStatement(id("__nwc_v")),
    ];
  }
  const [onOk, onErr] = method === "catch" ? [undefined, callbacks[0]] : [callbacks[0], callbacks[1]];
  const fulfilled = (v: ts.Expression) => f.createReturnStatement(isAbsent(onOk) ? v : call(onOk!, [v]));
  // The value goes to a local first: `f((yield ...))` would have the callee saved across the yield.
  if (isAbsent(onErr)) return [letVars("__nwc_v"), set("__nwc_v", yieldOf(task)), fulfilled(id("__nwc_v"))];
  return [
    letVars("__nwc_v"),
    f.createTryStatement(f.createBlock([set("__nwc_v", yieldOf(task))], true),
      f.createCatchClause("__nwc_e", f.createBlock([f.createReturnStatement(call(onErr!, [id("__nwc_e")]))], true)), undefined),
    fulfilled(id("__nwc_v")),
  ];
}
