/**
 * for...of over a value not typed as an array (part of async-to-generator.ts; the
 * runtime half is runtime/engine/iteration.ts). TypeScript's ES5 lowering would
 * index the value as an array, which a Set, a Map, a string or a generator is not.
 *
 * Without an await in the loop (it runs within one step): a lazy view over the real
 * iterator, closed when the loop is left early, as for...of closes it.
 *   Before:  L: for (const x of gen()) body
 *   After:   { const __nwc_it0 = __nwc_rt.lazy(gen());
 *              try { L: for (const x of __nwc_it0) body }
 *              catch (__nwc_ite0) { __nwc_rt.close(__nwc_it0, true); throw __nwc_ite0; }
 *              finally { __nwc_rt.close(__nwc_it0, false); } }
 *
 * With an await in the loop: a cursor of plain data (it lives in the frame) that
 * sees the collection as it is at each iteration, as the language's iterators do.
 *   Before:  for (const x of set) body
 *   After:   for (const __nwc_it0 = __nwc_rt.live(set); __nwc_rt.next(__nwc_it0);) { const x = __nwc_it0.v; { body } }
 *
 * Invariant: the loop's labels stay on the loop statement, so `continue L` still
 * targets it; the binding is declared per iteration with the source's kind
 * (`const`, `let`, `var`) or assigned (`for (x of e)`), so closures capture it
 * as they would.
 */
import ts from "typescript";

const rtCall = (f: ts.NodeFactory, name: string, args: ts.Expression[]) =>
  f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier("__nwc_rt"), name), undefined, args);

function withLabels(f: ts.NodeFactory, labels: readonly ts.Identifier[], s: ts.Statement): ts.Statement {
  return labels.reduceRight<ts.Statement>((inner, l) => f.createLabeledStatement(l, inner), s);
}

/** The loop, its parts already visited (the body with its step-budget tick); `n` makes its temporaries' names unique. */
export interface ForOfParts {
  initializer: ts.ForInitializer;
  expression: ts.Expression;
  statement: ts.Statement;
  labels: readonly ts.Identifier[];
}

export function lazyForOf(f: ts.NodeFactory, loop: ForOfParts, n: number): ts.Statement {
  const it = f.createIdentifier(`__nwc_it${n}`), err = f.createIdentifier(`__nwc_ite${n}`);
  const close = (thrown: boolean) => f.createExpressionStatement(rtCall(f, "close", [it, thrown ? f.createTrue() : f.createFalse()]));
  const forOf = f.createForOfStatement(undefined, loop.initializer, it, loop.statement);
  return f.createBlock([
    f.createVariableStatement(undefined, f.createVariableDeclarationList([
      f.createVariableDeclaration(it, undefined, undefined, rtCall(f, "lazy", [loop.expression]))], ts.NodeFlags.Const)),
    f.createTryStatement(
      f.createBlock([withLabels(f, loop.labels, forOf)], true),
      f.createCatchClause(err, f.createBlock([close(true), f.createThrowStatement(err)], true)),
      f.createBlock([close(false)], true),
    ),
  ], true);
}

export function liveForOf(f: ts.NodeFactory, loop: ForOfParts, n: number): ts.Statement {
  const it = f.createIdentifier(`__nwc_it${n}`);
  const current = f.createPropertyAccessExpression(it, "v");
  const bind = ts.isVariableDeclarationList(loop.initializer)
    ? f.createVariableStatement(undefined, f.createVariableDeclarationList(
      [f.createVariableDeclaration(loop.initializer.declarations[0]!.name, undefined, undefined, current)],
      loop.initializer.flags & (ts.NodeFlags.Const | ts.NodeFlags.Let)))
    : f.createExpressionStatement(f.createAssignment(loop.initializer as ts.Expression, current));
  // The source's body stays a block of its own: it may declare a name like the loop's binding.
  const body = f.createBlock([bind, loop.statement], true);
  const forStmt = f.createForStatement(
    f.createVariableDeclarationList([f.createVariableDeclaration(it, undefined, undefined, rtCall(f, "live", [loop.expression]))], ts.NodeFlags.Const),
    rtCall(f, "next", [it]), undefined, body);
  return withLabels(f, loop.labels, forStmt);
}
