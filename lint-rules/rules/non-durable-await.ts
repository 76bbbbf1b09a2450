/**
 * NWC1014: an orchestration may only await durable tasks: the result of a
 * `ctx.*` call (any value typed as nwc's `Task`), `Promise.all/race/any/allSettled`
 * over such tasks and plain values, `Promise.resolve(value)` / `Promise.reject(e)`,
 * a call of a compiled async function (an async ctx helper, or an async
 * closure or nested async function of the orchestration), or a variable bound
 * once to one of these. Anything else (a library promise, an async function
 * the compiler does not translate, a bare plain value, `new Promise`) would
 * resume from memory the runtime cannot persist.
 *
 * What counts as durable mirrors what the compiler rewrites
 * (compiler/transforms/async-to-generator.ts): the combinators are recognised
 * only as `Promise.<name>` with the global `Promise`, and a plain value in a
 * combinator is accepted only when its type cannot be a thenable (the engine
 * treats it as an already fulfilled task, as JavaScript does).
 */
import ts from "typescript";
import { compiledAsyncKind, functionOf, isAsyncFunction, isNwcType } from "../discover.ts";
import { resolveTarget, userFunctionOf } from "../resolve.ts";
import { defineRule, type RuleContext } from "../rule.ts";
import { isInlineCallback, TASK_METHODS } from "../task-methods.ts";

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

/**
 * Can a value of this type be a thenable (which JavaScript would adopt and the engine
 * refuses)? `any`, `unknown` and unconstrained type parameters can; so can any type
 * with a `then` member. A durable task is not a plain value: callers test it first.
 */
function mayBeThenable(checker: ts.TypeChecker, type: ts.Type, depth = 0): boolean {
  if (depth > MAX_DEPTH) return true;
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return true;
  if (type.isUnionOrIntersection()) return type.types.some((t) => !isTaskType(checker, t) && mayBeThenable(checker, t, depth + 1));
  if (type.flags & ts.TypeFlags.TypeParameter) {
    const constraint = checker.getBaseConstraintOfType(type);
    return !constraint || constraint === type || mayBeThenable(checker, constraint, depth + 1);
  }
  if (type.flags & (ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BigIntLike | ts.TypeFlags.BooleanLike | ts.TypeFlags.EnumLike
    | ts.TypeFlags.ESSymbolLike | ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Void | ts.TypeFlags.Never)) return false;
  return !!checker.getApparentType(type).getProperty("then");
}

/** `Promise.<name>` with the global Promise, spelled as the compiler rewrites it. */
function promiseStatic(context: RuleContext, callee: ts.Expression): string | undefined {
  const c = strip(callee);
  if (!ts.isPropertyAccessExpression(c) || !ts.isIdentifier(c.expression) || c.expression.text !== "Promise") return undefined;
  const target = resolveTarget(context.program, c);
  const name = c.name.text;
  return target && target.module === undefined && target.path === `PromiseConstructor.${name}` ? name : undefined;
}

/** A user function called from compiled code: compiled (a branch) or not. */
function calledFunction(context: RuleContext, callee: ts.Expression): ts.FunctionLikeDeclaration | undefined {
  const s = strip(callee);
  if (ts.isArrowFunction(s) || ts.isFunctionExpression(s)) return s;
  return userFunctionOf(context.program, s);
}

/** A callback whose calls are durable: a compiled async function, or an arrow returning a durable expression (`x => ctx.call(a, x)`). */
function returnsDurable(context: RuleContext, fnExpr: ts.Expression, depth: number): boolean {
  const fn = functionOf(context.checker, fnExpr);
  if (!fn) return false;
  if (compiledAsyncKind(context.program, fn)) return true;
  if (ts.isArrowFunction(fn) && !isAsyncFunction(fn) && !ts.isBlock(fn.body)) return isDurable(context, fn.body, depth + 1);
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
    // `x.then(f, g)` / `.catch(g)` / `.finally(h)` on a durable x, callbacks written inline (compiler/transforms/task-then.ts).
    const callee = strip(e.expression);
    if (ts.isPropertyAccessExpression(callee) && TASK_METHODS.has(callee.name.text) && e.arguments.every(isInlineCallback)) {
      return isDurable(context, callee.expression, depth + 1);
    }
    const method = promiseStatic(context, e.expression);
    if (method !== undefined) {
      const arg = e.arguments[0];
      if (COMBINATORS.has(method)) return !!arg && isDurableCollection(context, arg, depth + 1);
      // Promise.resolve(v): a settled task, or `v` itself when it is a task; Promise.reject(e): a failed task.
      if (method === "reject") return true;
      if (method === "resolve") return !arg || isDurableOrValue(context, arg, depth + 1);
      return false;
    }
    const fn = calledFunction(context, e.expression);
    if (fn) return compiledAsyncKind(program, fn) !== undefined;
    const candidates = functionsOfCallee(checker, e.expression);
    return candidates !== undefined && candidates.every((f) => compiledAsyncKind(program, f) !== undefined);
  }
  return false;
}

/**
 * The functions a callee named by neither a function nor a binding may be, by its type: a
 * table of the orchestration's closures indexed by a key (`handlers[kind](x)`) is a union of
 * their types, each declared by one of them. Undefined when some part of the type has no
 * function declaring it (a function type written out, a library's function).
 */
function functionsOfCallee(checker: ts.TypeChecker, callee: ts.Expression): ts.FunctionLikeDeclaration[] | undefined {
  const type = checker.getTypeAtLocation(strip(callee));
  const out: ts.FunctionLikeDeclaration[] = [];
  for (const part of type.isUnion() ? type.types : [type]) {
    const signatures = part.getCallSignatures();
    if (signatures.length === 0) return undefined;
    for (const s of signatures) {
      const d = s.getDeclaration() as ts.SignatureDeclaration | undefined;
      if (!d || !(ts.isArrowFunction(d) || ts.isFunctionExpression(d) || ts.isFunctionDeclaration(d) || ts.isMethodDeclaration(d))) return undefined;
      out.push(d);
    }
  }
  return out;
}

/** An element of a combinator: a durable task, or a plain value the engine passes through. */
function isDurableOrValue(context: RuleContext, expr: ts.Expression, depth: number): boolean {
  // The written type, `as` casts included: `x as any` may be a thenable whatever `x` is.
  return isDurable(context, expr, depth) || !mayBeThenable(context.checker, context.checker.getTypeAtLocation(expr));
}

/** The element type of an iterable that is not an array (Set, Map.values(), a generator...). */
function iteratedType(checker: ts.TypeChecker, type: ts.Type): ts.Type | undefined {
  const iterator = checker.getApparentType(type).getProperties().find((p) => p.escapedName.toString().startsWith("__@iterator"));
  const decl = iterator?.valueDeclaration ?? iterator?.declarations?.[0];
  if (!iterator || !decl) return undefined;
  const returned = checker.getTypeOfSymbolAtLocation(iterator, decl).getCallSignatures()[0]?.getReturnType();
  // Iterator<T>, IterableIterator<T>, MapIterator<T>, SetIterator<T>, ArrayIterator<T>: T is the first type argument.
  const args = returned && (returned.flags & ts.TypeFlags.Object) && ((returned as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference) ? checker.getTypeArguments(returned as ts.TypeReference) : undefined;
  return args?.[0];
}

function isArrayLike(checker: ts.TypeChecker, type: ts.Type): boolean {
  const all = type.isUnion() ? type.types : [type];
  return all.every((t) => checker.isArrayType(t) || checker.isTupleType(t));
}

export function isDurableCollection(context: RuleContext, arg: ts.Expression, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  const { checker } = context;
  const e = strip(arg);
  if (ts.isArrayLiteralExpression(e)) {
    return e.elements.every((el) => ts.isSpreadElement(el) ? isDurableCollection(context, el.expression, depth + 1) : isDurableOrValue(context, el, depth + 1));
  }
  // items.map(x => ctx.call(a, x)) / items.map(async (x) => ...) / items.map(compiledClosure)
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === "map" && e.arguments[0]
    && isArrayLike(checker, checker.getTypeAtLocation(e.expression.expression))) {
    if (returnsDurable(context, e.arguments[0], depth)) return true;
  }
  if (ts.isIdentifier(e)) {
    const decl = checker.getSymbolAtLocation(e)?.valueDeclaration;
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer && (decl.parent.flags & ts.NodeFlags.Const) && isDurableCollection(context, decl.initializer, depth + 1)) return true;
  }
  const type = checker.getTypeAtLocation(e);
  let elements: readonly ts.Type[] | undefined;
  if (checker.isArrayType(type) || checker.isTupleType(type)) elements = checker.getTypeArguments(type as ts.TypeReference);
  else if (!(type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown))) {
    const t = iteratedType(checker, type);
    elements = t ? [t] : undefined;
  }
  if (!elements) return false;
  return elements.every((t) => isTaskType(checker, t) || !mayBeThenable(checker, t));
}

export default defineRule({
  name: "no-non-durable-await",
  code: "NWC1014",
  description: "Allow await only on durable tasks (ctx.* calls, Promise combinators over them, compiled helpers).",
  messages: {
    forAwait: { message: "`for await` over an async iterator: its position cannot be saved in the frame{{via}}", fix: "read the items in an activity and loop over the returned array, or await {{ctx}}.* tasks in a plain loop" },
    await: { message: "`await` of a value that is not a durable task: the orchestration could not resume from it after a restart{{via}}", fix: "await only {{ctx}}.* tasks, Promise.all/race/any/allSettled over them, or async helpers; do other asynchronous work in an activity" },
    uncompiledAsync: {
      message: "`await` of `{{name}}`, an async function the compiler does not translate (its first parameter is not an OrchestrationContext and it is not declared inside the orchestration): it returns an ordinary promise, which the orchestration could not resume from after a restart{{via}}",
      fix: "make `ctx: OrchestrationContext` its first parameter (a ctx helper is compiled like an orchestration), make it synchronous, or run it as an activity",
    },
  },
  create(context) {
    return {
      [ts.SyntaxKind.ForOfStatement]: (n) => {
        const node = n as ts.ForOfStatement;
        if (node.awaitModifier) context.report({ node: node.awaitModifier, messageId: "forAwait" });
      },
      [ts.SyntaxKind.AwaitExpression]: (n) => {
        const node = n as ts.AwaitExpression;
        if (isDurable(context, node.expression)) return;
        const e = strip(node.expression);
        const fn = ts.isCallExpression(e) ? calledFunction(context, e.expression) : undefined;
        if (fn && isAsyncFunction(fn)) context.report({ node, messageId: "uncompiledAsync", data: { name: strip((e as ts.CallExpression).expression).getText() } });
        else context.report({ node, messageId: "await" });
      },
    };
  },
});
