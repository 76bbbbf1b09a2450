/**
 * The temporal dead zone, kept (part of async-to-generator.ts). The ES5 lowering
 * turns `let` and `const` into `var`, so a binding read before its declaration ran
 * would give `undefined` instead of throwing a ReferenceError. Reads TypeScript can
 * see (in the same function, before the declaration) are its errors TS2448/TS2454;
 * what it cannot see is a function that may run before the declaration: one that
 * starts before the declaration ends, or a hoisted function declaration.
 *
 * For such a binding the lowering stores a sentinel in it when its block is entered
 * (each iteration of a loop enters the block again, as each iteration has a new
 * binding), and the uses inside those functions check it:
 *   Before:  { const early = async () => later + 1; ...; const later = await f(); }
 *   After:   { later = __nwc_rt.tdz; const early = async () => __nwc_rt.read(later, "later") + 1; ...; const later = await f(); }
 * An assignment checks after evaluating its value (`x = __nwc_rt.write(x, v, "x")`),
 * a compound assignment or update checks first, as the language does.
 *
 * Invariant: only bindings declared by a statement of a block are checked this way;
 * `unsupported` lists the others that need it (NWC3021), so none is silently lax.
 */
import ts from "typescript";

export interface TdzPlan {
  /** Identifiers (uses of a checked binding inside an early function) to check. */
  uses: Set<ts.Identifier>;
  /** Per block statement declaring checked bindings: their names, to reset on entry. */
  resets: Map<ts.VariableStatement, string[]>;
  /** Checked bindings not declared by a statement of a block. */
  unsupported: ts.Identifier[];
}

function bindingNames(name: ts.BindingName, out: ts.Identifier[]): ts.Identifier[] {
  if (ts.isIdentifier(name)) out.push(name);
  else for (const e of name.elements) if (!ts.isOmittedExpression(e)) bindingNames(e.name, out);
  return out;
}

/** The node where a use inside `fn` of a binding of `scope` can run: the outermost function between them. */
function outermostFunction(use: ts.Node, scope: ts.Node): ts.SignatureDeclaration | undefined {
  let found: ts.SignatureDeclaration | undefined;
  for (let n = use.parent; n && n !== scope; n = n.parent) if (ts.isFunctionLike(n)) found = n;
  return found;
}

export function planTdz(fn: ts.Node, checker: ts.TypeChecker): TdzPlan {
  const declared = new Map<ts.Symbol, { id: ts.Identifier; list: ts.VariableDeclarationList }>();
  const collect = (n: ts.Node): void => {
    if (ts.isVariableDeclarationList(n) && (n.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) && !(n.flags & ts.NodeFlags.Using)) {
      for (const d of n.declarations) {
        for (const id of bindingNames(d.name, [])) {
          const s = checker.getSymbolAtLocation(id);
          if (s) declared.set(s, { id, list: n });
        }
      }
    }
    ts.forEachChild(n, collect);
  };
  collect(fn);
  const plan: TdzPlan = { uses: new Set(), resets: new Map(), unsupported: [] };
  const checked = new Set<ts.Symbol>();
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n) && isUse(n)) {
      const s = ts.isShorthandPropertyAssignment(n.parent) ? checker.getShorthandAssignmentValueSymbol(n.parent) : checker.getSymbolAtLocation(n);
      const d = s && declared.get(s);
      if (d) {
        const scope = d.list.parent.parent;
        const f = outermostFunction(n, scope);
        if (f && (f.getStart() < d.list.end || ts.isFunctionDeclaration(f))) {
          plan.uses.add(n);
          if (!checked.has(s!)) {
            checked.add(s!);
            const stmt = d.list.parent;
            if (ts.isVariableStatement(stmt) && ts.isBlock(stmt.parent)) {
              (plan.resets.get(stmt) ?? plan.resets.set(stmt, []).get(stmt)!).push(d.id.text);
            } else plan.unsupported.push(d.id);
          }
        }
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(fn);
  return plan;
}

/** An identifier that reads or writes a binding (not a declaration, property name or label). */
function isUse(n: ts.Identifier): boolean {
  const p = n.parent;
  if (ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isBindingElement(p) || ts.isFunctionLike(p)) return p.name !== n && !(ts.isBindingElement(p) && p.propertyName === n);
  if ((ts.isPropertyAccessExpression(p) || ts.isQualifiedName(p)) && (p as any).name === n) return false;
  if ((ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p)) && p.name === n) return false;
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return false;
  if (ts.isTypeReferenceNode(p) || ts.isImportSpecifier(p) || ts.isExportSpecifier(p)) return false;
  return true;
}

/** `__nwc_rt.<name>(args)`. */
function rt(f: ts.NodeFactory, name: string, args: ts.Expression[]): ts.Expression {
  return f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier("__nwc_rt"), name), undefined, args);
}

/** The statement that puts the bindings of a block in their dead zone. */
export function tdzReset(f: ts.NodeFactory, names: string[]): ts.Statement {
  const sentinel = () => f.createPropertyAccessExpression(f.createIdentifier("__nwc_rt"), "tdz");
  const parts: ts.Expression[] = names.map((n) => f.createAssignment(f.createIdentifier(n), sentinel()));
  return f.createExpressionStatement(parts.reduce((a, b) => f.createComma(a, b)));
}

/** A checked read of `id` (its visited form is the identifier itself). */
export function tdzRead(f: ts.NodeFactory, id: ts.Identifier): ts.Expression {
  return rt(f, "read", [f.createIdentifier(id.text), f.createStringLiteral(id.text)]);
}

/** `x = v` checked after `v` is evaluated. */
export function tdzWrite(f: ts.NodeFactory, id: ts.Identifier, value: ts.Expression): ts.Expression {
  return f.createAssignment(f.createIdentifier(id.text), rt(f, "write", [f.createIdentifier(id.text), value, f.createStringLiteral(id.text)]));
}

/** A compound assignment or update of `id`, checked before it runs. */
export function tdzBefore(f: ts.NodeFactory, id: ts.Identifier, e: ts.Expression): ts.Expression {
  return f.createParenthesizedExpression(f.createComma(tdzRead(f, id), e));
}

/** Is `id` written (an assignment's or update's target, or inside a destructuring target)? */
export function isWriteTarget(id: ts.Identifier): boolean {
  let n: ts.Node = id;
  for (let p = n.parent; ; n = p, p = p.parent) {
    if (ts.isParenthesizedExpression(p) || ts.isArrayLiteralExpression(p) || ts.isObjectLiteralExpression(p) || ts.isSpreadElement(p) ||
        ts.isSpreadAssignment(p) || (ts.isPropertyAssignment(p) && p.initializer === n) || ts.isShorthandPropertyAssignment(p)) continue;
    if (ts.isBinaryExpression(p)) return p.left === n && p.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && p.operatorToken.kind <= ts.SyntaxKind.LastAssignment;
    if (ts.isPrefixUnaryExpression(p) || ts.isPostfixUnaryExpression(p)) return p.operator === ts.SyntaxKind.PlusPlusToken || p.operator === ts.SyntaxKind.MinusMinusToken;
    if (ts.isForInStatement(p) || ts.isForOfStatement(p)) return p.initializer === n;
    return false;
  }
}
