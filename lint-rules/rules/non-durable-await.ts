/**
 * NWC1014: an orchestration may only await durable tasks: the result of a
 * `ctx.*` call (any value typed as nwc's `Task`), `Promise.all/race/any/allSettled`
 * over such tasks, a call of a user async function or async closure (compiled
 * and checked like the orchestration itself), or a variable bound once to one
 * of these. Anything else (a library promise, a plain value, `new Promise`)
 * would resume from memory the runtime cannot persist.
 */
import ts from "typescript";
import { isNwcType, isUserFile } from "../discover.ts";
import { resolveTarget, userFunctionOf } from "../resolve.ts";
import { defineRule, type RuleContext } from "../rule.ts";

const COMBINATORS = new Set(["all", "race", "any", "allSettled"]);
/** How far to follow `const p = ...; await p` chains. */
const MAX_DEPTH = 8;

function strip(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  return e;
}

function isTaskType(checker: ts.TypeChecker, type: ts.Type): boolean {
  if (type.isUnion()) return type.types.every((t) => isTaskType(checker, t) || (t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)) !== 0);
  return isNwcType(type, "Task");
}

function isAsyncFunction(e: ts.Expression): boolean {
  const s = strip(e);
  return (ts.isArrowFunction(s) || ts.isFunctionExpression(s)) && !!s.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
}

/** Function bodies that return a durable expression: `x => ctx.call(a, x)`. */
function returnsDurable(context: RuleContext, fn: ts.Expression, depth: number): boolean {
  const s = strip(fn);
  if (!ts.isArrowFunction(s) && !ts.isFunctionExpression(s)) return false;
  if (isAsyncFunction(s)) return true;
  if (ts.isArrowFunction(s) && !ts.isBlock(s.body)) return isDurable(context, s.body, depth + 1);
  return false;
}

export function isDurable(context: RuleContext, expr: ts.Expression, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  const { checker, program } = context;
  const e = strip(expr);
  if (isTaskType(checker, checker.getTypeAtLocation(e))) return true;
  if (ts.isConditionalExpression(e)) return isDurable(context, e.whenTrue, depth + 1) && isDurable(context, e.whenFalse, depth + 1);
  if (ts.isIdentifier(e)) {
    const decl = checker.getSymbolAtLocation(e)?.valueDeclaration;
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer && (decl.parent.flags & ts.NodeFlags.Const)) return isDurable(context, decl.initializer, depth + 1);
    return false;
  }
  if (ts.isCallExpression(e)) {
    const callee = strip(e.expression);
    // (async () => { ... })(): a compiled branch.
    if (isAsyncFunction(callee)) return true;
    if (ts.isPropertyAccessExpression(callee) && COMBINATORS.has(callee.name.text)) {
      const target = resolveTarget(program, callee);
      if (target && target.module === undefined && target.path === `PromiseConstructor.${callee.name.text}`) {
        const arg = e.arguments[0];
        return !!arg && isDurableCollection(context, arg, depth + 1);
      }
    }
    const fn = userFunctionOf(program, callee, false);
    if (fn && isUserFile(program, fn.getSourceFile()) && fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) return true;
  }
  return false;
}

function isDurableCollection(context: RuleContext, arg: ts.Expression, depth: number): boolean {
  const { checker } = context;
  const e = strip(arg);
  if (ts.isArrayLiteralExpression(e)) {
    return e.elements.every((el) => ts.isSpreadElement(el) ? isDurableCollection(context, el.expression, depth + 1) : isDurable(context, el, depth + 1));
  }
  // items.map(x => ctx.call(a, x)) / items.map(async (x) => ...)
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === "map" && e.arguments[0]) {
    if (returnsDurable(context, e.arguments[0], depth)) return true;
  }
  const type = checker.getTypeAtLocation(e);
  const element = checker.isArrayType(type) || checker.isTupleType(type) ? checker.getTypeArguments(type as ts.TypeReference) : undefined;
  if (element && element.length > 0) return element.every((t) => isTaskType(checker, t));
  if (ts.isIdentifier(e)) {
    const decl = checker.getSymbolAtLocation(e)?.valueDeclaration;
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer && (decl.parent.flags & ts.NodeFlags.Const)) return isDurableCollection(context, decl.initializer, depth + 1);
  }
  return false;
}

export default defineRule({
  name: "no-non-durable-await",
  code: "NWC1014",
  description: "Allow await only on durable tasks (ctx.* calls, Promise combinators over them, compiled helpers).",
  messages: {
    forAwait: { message: "`for await` over an async iterator: its position cannot be saved in the frame{{via}}", fix: "read the items in an activity and loop over the returned array, or await {{ctx}}.* tasks in a plain loop" },
    await: { message: "`await` of a value that is not a durable task: the orchestration could not resume from it after a restart{{via}}", fix: "await only {{ctx}}.* tasks, Promise.all/race/any/allSettled over them, or async helpers; do other asynchronous work in an activity" },
  },
  create(context) {
    return {
      [ts.SyntaxKind.ForOfStatement]: (n) => {
        const node = n as ts.ForOfStatement;
        if (node.awaitModifier) context.report({ node: node.awaitModifier, messageId: "forAwait" });
      },
      [ts.SyntaxKind.AwaitExpression]: (n) => {
        const node = n as ts.AwaitExpression;
        if (!isDurable(context, node.expression)) context.report({ node, messageId: "await" });
      },
    };
  },
});
