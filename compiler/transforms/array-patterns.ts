/**
 * Array destructuring whose value is not an array, where the lowering cannot wrap
 * the value (part of the NWC3xxx checks in unsupported.ts). TypeScript's ES5
 * lowering destructures by index (`v[0]`), which reads nothing from a Set, a Map
 * or a generator. A pattern's own value expression is wrapped so that it is read
 * as an iterator (async-to-generator.ts, `take`/`pull`), and so is a for...of
 * variable's (its item is destructured at the start of the body); a pattern nested
 * in another, a parameter's pattern, or a for...of assignment target has no
 * expression of its own to wrap, so it must be an array or a tuple: else NWC3023.
 *
 * Before:  const [[first]] = [new Set([1])];   // first would be undefined
 * After:   NWC3023 at `[first]`, typed Set<number>
 *
 * Invariant: reported unless the checker proves the value an array or a tuple
 * (`any` too: it may hold a Set).
 */
import ts from "typescript";

export function isArrayOrTupleType(checker: ts.TypeChecker, t: ts.Type | undefined): boolean {
  if (!t) return false;
  const all = t.isUnion() ? t.types : [t];
  return all.every((x) => checker.isArrayType(x) || checker.isTupleType(x));
}

/** The type of the value an array pattern `n` destructures, when it is not wrapped; `null`: `n` is wrapped (or not a pattern). */
function unwrappedArrayPatternType(checker: ts.TypeChecker, n: ts.Node): { type: ts.Type | undefined } | null {
  if (ts.isArrayBindingPattern(n)) {
    const p = n.parent;
    // A declaration's value and a for...of variable's item are wrapped (async-to-generator.ts).
    const wrapped = ts.isVariableDeclaration(p) && (!!p.initializer || (ts.isVariableDeclarationList(p.parent) && ts.isForOfStatement(p.parent.parent)));
    return wrapped ? null : { type: checker.getTypeAtLocation(n) };
  }
  if (ts.isArrayLiteralExpression(n) && isNestedTarget(n)) return { type: targetType(checker, n) };
  return null;
}

/** Is `n` nested in an assignment target, or a for...of's target (a top-level `[a] = e` is wrapped)? */
function isNestedTarget(n: ts.Expression): boolean {
  const p = n.parent;
  if (ts.isForOfStatement(p)) return p.initializer === n;
  if (ts.isArrayLiteralExpression(p) || (ts.isPropertyAssignment(p) && p.initializer === n) || ts.isSpreadElement(p)) return isTarget(ts.isPropertyAssignment(p) ? p.parent : p);
  return false;
}

function isTarget(n: ts.Node): boolean {
  const p = n.parent;
  if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) return p.left === n;
  if (ts.isForOfStatement(p) || ts.isForInStatement(p)) return p.initializer === n;
  if (ts.isArrayLiteralExpression(p) || ts.isSpreadElement(p)) return isTarget(p);
  if (ts.isPropertyAssignment(p) && p.initializer === n) return isTarget(p.parent);
  return false;
}

/** The type of the value assigned to target `n`, derived from its enclosing assignment; undefined when unknown. */
function targetType(checker: ts.TypeChecker, n: ts.Node): ts.Type | undefined {
  const p = n.parent;
  if (ts.isBinaryExpression(p)) return checker.getTypeAtLocation(p.right);
  if (ts.isForOfStatement(p)) {
    const over = checker.getTypeAtLocation(p.expression);
    return isArrayOrTupleType(checker, over) ? checker.getIndexTypeOfType(over, ts.IndexKind.Number) : undefined;
  }
  if (ts.isArrayLiteralExpression(p)) {
    const outer = targetType(checker, p);
    if (!outer || !isArrayOrTupleType(checker, outer) || outer.isUnion()) return undefined;
    const i = p.elements.indexOf(n as ts.Expression);
    return checker.isTupleType(outer) ? checker.getTypeArguments(outer as ts.TypeReference)[i] : checker.getIndexTypeOfType(outer, ts.IndexKind.Number);
  }
  if (ts.isPropertyAssignment(p) && ts.isObjectLiteralExpression(p.parent)) {
    const outer = targetType(checker, p.parent);
    const prop = outer && !outer.isUnion() && ts.isIdentifier(p.name) ? outer.getProperty(p.name.text) : undefined;
    return prop ? checker.getTypeOfSymbol(prop) : undefined;
  }
  return undefined;
}

export function isNonArrayPattern(checker: ts.TypeChecker, n: ts.Node): string | undefined {
  const r = unwrappedArrayPatternType(checker, n);
  if (!r || isArrayOrTupleType(checker, r.type)) return undefined;
  return r.type ? checker.typeToString(r.type) : "a type the compiler cannot see";
}

/**
 * `const [a = await f()] = v` / `[a = await f()] = v` with `v` typed as something other
 * than an array, a tuple or a string (any and unknown: the run decides): its iterator
 * would have to live across the await (runtime/engine/iteration.ts `awaitingPatternItems`).
 * Returns the value's type text, or undefined.
 */
export function awaitingPatternOverIterator(checker: ts.TypeChecker, n: ts.Node): string | undefined {
  const value = ts.isVariableDeclaration(n) && ts.isArrayBindingPattern(n.name) && hasAwait(n.name) ? n.initializer
    : ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isArrayLiteralExpression(n.left) && hasAwait(n.left) ? n.right
    : undefined;
  if (!value) return undefined;
  const t = checker.getTypeAtLocation(value);
  if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return undefined;
  const fine = (t.isUnion() ? t.types : [t]).every((x) => checker.isArrayType(x) || checker.isTupleType(x) || !!(x.flags & ts.TypeFlags.StringLike));
  return fine ? undefined : checker.typeToString(t);
}

function hasAwait(n: ts.Node): boolean {
  return ts.isAwaitExpression(n) || !!ts.forEachChild(n, hasAwait);
}
