/**
 * NWC1011: writes to module-level mutable state from orchestration code:
 * assignments, compound assignments, `++`/`--`, `delete`, and mutating methods
 * (push, set, add, splice, sort...) on module-level variables, their
 * properties and static class fields. Such state is shared by all instances on
 * a worker and lost when an instance resumes elsewhere.
 *
 * Local variables of the orchestration (and of the functions it calls) are
 * fine: they live in the frame.
 */
import ts from "typescript";
import { isUserFile, resolveAlias } from "../discover.ts";
import { defineRule } from "../rule.ts";

/** Methods of arrays, maps, sets, dates and typed arrays that change their receiver. */
const MUTATING_METHODS = new Set([
  "push", "pop", "shift", "unshift", "splice", "sort", "reverse", "fill", "copyWithin",
  "set", "add", "delete", "clear",
  "setTime", "setFullYear", "setMonth", "setDate", "setHours", "setMinutes", "setSeconds", "setMilliseconds",
]);

const ASSIGNMENT_OPERATORS = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.EqualsToken, ts.SyntaxKind.PlusEqualsToken, ts.SyntaxKind.MinusEqualsToken, ts.SyntaxKind.AsteriskEqualsToken,
  ts.SyntaxKind.AsteriskAsteriskEqualsToken, ts.SyntaxKind.SlashEqualsToken, ts.SyntaxKind.PercentEqualsToken,
  ts.SyntaxKind.LessThanLessThanEqualsToken, ts.SyntaxKind.GreaterThanGreaterThanEqualsToken,
  ts.SyntaxKind.GreaterThanGreaterThanGreaterThanEqualsToken, ts.SyntaxKind.AmpersandEqualsToken, ts.SyntaxKind.BarEqualsToken,
  ts.SyntaxKind.CaretEqualsToken, ts.SyntaxKind.BarBarEqualsToken, ts.SyntaxKind.AmpersandAmpersandEqualsToken,
  ts.SyntaxKind.QuestionQuestionEqualsToken,
]);

/** The identifier at the root of `a.b[c].d`, or undefined for `this`, calls and the like. */
function rootIdentifier(e: ts.Expression): ts.Identifier | undefined {
  while (true) {
    if (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e) || ts.isAsExpression(e)) e = e.expression;
    else if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) e = e.expression;
    else break;
  }
  return ts.isIdentifier(e) ? e : undefined;
}

/** Is `id` a variable or class declared at the top level of a user module? */
function moduleLevelName(program: ts.Program, checker: ts.TypeChecker, id: ts.Identifier): string | undefined {
  const symbol = resolveAlias(checker, checker.getSymbolAtLocation(id));
  const decl = symbol?.valueDeclaration;
  if (!decl || !isUserFile(program, decl.getSourceFile())) return undefined;
  if (ts.isVariableDeclaration(decl)) {
    const statement = decl.parent.parent;
    if (ts.isVariableStatement(statement) && (ts.isSourceFile(statement.parent) || ts.isModuleBlock(statement.parent))) return id.text;
  }
  if (ts.isClassDeclaration(decl) && ts.isSourceFile(decl.parent)) return id.text;
  return undefined;
}

export default defineRule({
  name: "no-module-state",
  code: "NWC1011",
  description: "Disallow writes to module-level mutable state in orchestration code.",
  messages: {
    write: { message: "{{name}} writes module-level state `{{target}}`, which is shared by all instances on a worker and not saved in the frame{{via}}", fix: "keep the state in a local variable of the orchestration, or in an entity" },
  },
  create(context) {
    const { program, checker } = context;
    const check = (node: ts.Node, target: ts.Expression, what: string): void => {
      const id = rootIdentifier(target);
      if (!id) return;
      const name = moduleLevelName(program, checker, id);
      if (name) context.report({ node, messageId: "write", data: { name: what, target: name } });
    };
    return {
      [ts.SyntaxKind.BinaryExpression]: (n) => {
        const node = n as ts.BinaryExpression;
        if (ASSIGNMENT_OPERATORS.has(node.operatorToken.kind)) check(node, node.left, "assignment");
      },
      [ts.SyntaxKind.PrefixUnaryExpression]: (n) => {
        const node = n as ts.PrefixUnaryExpression;
        if (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken) check(node, node.operand, "`" + ts.tokenToString(node.operator) + "`");
      },
      [ts.SyntaxKind.PostfixUnaryExpression]: (n) => {
        const node = n as ts.PostfixUnaryExpression;
        check(node, node.operand, "`" + ts.tokenToString(node.operator) + "`");
      },
      [ts.SyntaxKind.DeleteExpression]: (n) => check(n, (n as ts.DeleteExpression).expression, "`delete`"),
      [ts.SyntaxKind.CallExpression]: (n) => {
        const node = n as ts.CallExpression;
        const callee = node.expression;
        if (!ts.isPropertyAccessExpression(callee) || !MUTATING_METHODS.has(callee.name.text)) return;
        // Only built-in mutators count: a user method named `add` is judged by following the call.
        const method = checker.getSymbolAtLocation(callee.name);
        const decl = method?.declarations?.[0];
        if (decl && isUserFile(program, decl.getSourceFile())) return;
        check(node, callee.expression, "`." + callee.name.text + "()`");
      },
    };
  },
});
