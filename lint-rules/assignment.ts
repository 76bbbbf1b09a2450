/**
 * Where JavaScript writes to an expression: the left of `=` and compound
 * assignments, `++`/`--`, the target of `for (x of ...)`/`for (x in ...)`,
 * and every leaf of a destructuring assignment (`[a, b] = ...`,
 * `({ x, y: o.z, ...rest } = ...)`, defaults included).
 *
 * Invariant: only syntax decides; which variable a target denotes is the
 * caller's question, answered through the type checker's symbols.
 */
import ts from "typescript";

const COMPOUND_ASSIGNMENTS = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.EqualsToken, ts.SyntaxKind.PlusEqualsToken, ts.SyntaxKind.MinusEqualsToken, ts.SyntaxKind.AsteriskEqualsToken,
  ts.SyntaxKind.AsteriskAsteriskEqualsToken, ts.SyntaxKind.SlashEqualsToken, ts.SyntaxKind.PercentEqualsToken,
  ts.SyntaxKind.LessThanLessThanEqualsToken, ts.SyntaxKind.GreaterThanGreaterThanEqualsToken,
  ts.SyntaxKind.GreaterThanGreaterThanGreaterThanEqualsToken, ts.SyntaxKind.AmpersandEqualsToken, ts.SyntaxKind.BarEqualsToken,
  ts.SyntaxKind.CaretEqualsToken, ts.SyntaxKind.BarBarEqualsToken, ts.SyntaxKind.AmpersandAmpersandEqualsToken,
  ts.SyntaxKind.QuestionQuestionEqualsToken,
]);

export function isAssignmentOperator(kind: ts.SyntaxKind): boolean {
  return COMPOUND_ASSIGNMENTS.has(kind);
}

/** Is `node` written to (the whole expression, or as one leaf of a destructuring target)? */
export function isWriteTarget(node: ts.Node): boolean {
  const p = node.parent;
  if (!p) return false;
  if (ts.isParenthesizedExpression(p) || ts.isNonNullExpression(p) || ts.isAsExpression(p) || ts.isSatisfiesExpression(p) || ts.isTypeAssertionExpression(p)) return isWriteTarget(p);
  if (ts.isBinaryExpression(p)) {
    if (p.left !== node || !isAssignmentOperator(p.operatorToken.kind)) return false;
    // `[a = 1] = xs`: the default's left is the leaf; the default itself sits in a pattern.
    return true;
  }
  if (ts.isPrefixUnaryExpression(p) || ts.isPostfixUnaryExpression(p)) return p.operator === ts.SyntaxKind.PlusPlusToken || p.operator === ts.SyntaxKind.MinusMinusToken;
  if ((ts.isForOfStatement(p) || ts.isForInStatement(p)) && p.initializer === node) return true;
  if (ts.isArrayLiteralExpression(p) || ts.isSpreadElement(p) || ts.isSpreadAssignment(p)) return isPatternTarget(ts.isArrayLiteralExpression(p) ? p : p.parent);
  if (ts.isPropertyAssignment(p) && p.initializer === node) return isPatternTarget(p.parent);
  if (ts.isShorthandPropertyAssignment(p) && p.name === node) return isPatternTarget(p.parent);
  return false;
}

/** Is an object or array literal the target of a destructuring assignment? */
function isPatternTarget(literal: ts.Node): boolean {
  if (!ts.isArrayLiteralExpression(literal) && !ts.isObjectLiteralExpression(literal)) return false;
  const p = literal.parent;
  if (ts.isBinaryExpression(p) && p.left === literal) return p.operatorToken.kind === ts.SyntaxKind.EqualsToken;
  if ((ts.isForOfStatement(p) || ts.isForInStatement(p)) && p.initializer === literal) return true;
  return isWriteTarget(literal);
}

/** The leaves a write target assigns to: the expression itself, or each leaf of a destructuring pattern. */
export function writtenLeaves(target: ts.Expression): ts.Expression[] {
  const e = ts.isParenthesizedExpression(target) ? target.expression : target;
  if (ts.isArrayLiteralExpression(e)) return e.elements.flatMap((el) => writtenLeaves(ts.isSpreadElement(el) ? el.expression : el));
  if (ts.isObjectLiteralExpression(e)) {
    return e.properties.flatMap((p) => {
      if (ts.isPropertyAssignment(p)) return writtenLeaves(p.initializer);
      if (ts.isShorthandPropertyAssignment(p)) return [p.name];
      if (ts.isSpreadAssignment(p)) return writtenLeaves(p.expression);
      return [];
    });
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken) return writtenLeaves(e.left);
  if (ts.isOmittedExpression(e)) return [];
  return [e];
}
