/**
 * What the compiler can see of critical sections: the lock scopes around a
 * node (`await using x = await ctx.lock(...)` earlier in an enclosing block,
 * or the body of `ctx.transaction(ids, fn)`) and the entities each holds,
 * when written as `entity.id(key)`.
 *
 * Invariant: `held` is undefined whenever any locked id is not of that static
 * form, so rules never claim an entity is not held when they cannot know.
 */
import ts from "typescript";
import { isNwcSymbol, resolveAlias } from "./discover.ts";

export interface HeldEntity { entity: ts.Symbol; key: ts.Expression }

export interface LockScope {
  /** The `ctx.lock(...)` or `ctx.transaction(...)` call that opened the scope. */
  call: ts.CallExpression;
  held?: HeldEntity[];
}

/** Is `call` `<ctx>.<method>(...)` (or `<ctx>["<method>"](...)`, `<ctx>?.<method>(...)`) on nwc's OrchestrationContext? */
export function isCtxCall(checker: ts.TypeChecker, call: ts.Node, method: string): call is ts.CallExpression {
  if (!ts.isCallExpression(call)) return false;
  const callee = strip(call.expression);
  const name = ts.isPropertyAccessExpression(callee) ? callee.name : ts.isElementAccessExpression(callee) && ts.isStringLiteralLike(callee.argumentExpression) ? callee.argumentExpression : undefined;
  return !!name && name.text === method && isNwcSymbol(checker, checker.getSymbolAtLocation(name), method);
}

function strip(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAwaitExpression(e) || ts.isNonNullExpression(e) || ts.isAsExpression(e)) e = e.expression;
  return e;
}

function heldOf(checker: ts.TypeChecker, ids: readonly ts.Expression[]): HeldEntity[] | undefined {
  const out: HeldEntity[] = [];
  for (const id of ids) {
    const e = strip(id);
    if (!ts.isCallExpression(e) || !ts.isPropertyAccessExpression(e.expression) || e.expression.name.text !== "id" || e.arguments.length !== 1) return undefined;
    if (!isNwcSymbol(checker, checker.getSymbolAtLocation(e.expression.name), "id")) return undefined;
    const entity = resolveAlias(checker, checker.getSymbolAtLocation(e.expression.expression));
    if (!entity) return undefined;
    out.push({ entity, key: e.arguments[0]! });
  }
  return out;
}

function lockCallOf(checker: ts.TypeChecker, statement: ts.Statement): ts.CallExpression | undefined {
  if (!ts.isVariableStatement(statement)) return undefined;
  // `await using` and `using` both end the section at the end of the block.
  if (!(statement.declarationList.flags & ts.NodeFlags.Using)) return undefined;
  for (const d of statement.declarationList.declarations) {
    const init = d.initializer && strip(d.initializer);
    if (init && isCtxCall(checker, init, "lock")) return init;
  }
  return undefined;
}

/** Lock scopes enclosing `node`, innermost first. */
export function enclosingLockScopes(checker: ts.TypeChecker, node: ts.Node): LockScope[] {
  const scopes: LockScope[] = [];
  let child: ts.Node = node;
  for (let n = node.parent; n && !ts.isSourceFile(n); child = n, n = n.parent) {
    if (ts.isBlock(n) || ts.isModuleBlock(n) || ts.isCaseClause(n) || ts.isDefaultClause(n)) {
      for (const s of n.statements) {
        if (s === child) break;
        const call = lockCallOf(checker, s);
        if (call) scopes.push({ call, held: heldOf(checker, call.arguments) });
      }
    }
    // Inside ctx.transaction(ids, fn): the function body runs holding `ids`.
    if (ts.isFunctionLike(n) && ts.isCallExpression(n.parent) && n.parent.arguments[1] === n && isCtxCall(checker, n.parent, "transaction")) {
      const ids = n.parent.arguments[0];
      scopes.push({ call: n.parent, held: ids && ts.isArrayLiteralExpression(ids) && !ids.elements.some(ts.isSpreadElement) ? heldOf(checker, ids.elements) : undefined });
    }
  }
  return scopes;
}

function keyText(e: ts.Expression): string | undefined {
  const s = strip(e);
  if (ts.isStringLiteralLike(s)) return JSON.stringify(s.text);
  // Names and property paths denote the same value at both places; calls might not.
  if (ts.isIdentifier(s) || ts.isPropertyAccessExpression(s)) return s.getText().replace(/\s+/g, "");
  return undefined;
}

export type Holding = "held" | "not-held" | "unknown";

/** Does `scope` hold entity `(entityExpr, keyExpr)`? */
export function holds(checker: ts.TypeChecker, scope: LockScope, entityExpr: ts.Expression, keyExpr: ts.Expression): Holding {
  const entity = resolveAlias(checker, checker.getSymbolAtLocation(strip(entityExpr)));
  if (!entity) return "unknown";
  const key = keyText(keyExpr);
  let unknown = scope.held === undefined;
  for (const h of scope.held ?? []) {
    if (h.entity !== entity) continue;
    const k = keyText(h.key);
    if (k !== undefined && k === key) return "held";
    const bothLiterals = ts.isStringLiteralLike(strip(h.key)) && ts.isStringLiteralLike(strip(keyExpr));
    if (!bothLiterals) unknown = true;
  }
  return unknown ? "unknown" : "not-held";
}
