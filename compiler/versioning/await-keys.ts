/**
 * The source side of an upgrade manifest: the await points of one compiled
 * function as its author wrote them, each with a key that survives edits
 * elsewhere in the file, and the types of the function's locals.
 *
 * A key is the enclosing function's key, the loop/try/branch structure between
 * the function and the await (each level with its header text), and the
 * awaited expression's text, whitespace collapsed:
 *
 *     order | for (const item of items) > try | await ctx.call(charge, item)
 *
 * Lines and lowered state numbers are not part of it, so adding code above an
 * await (or a comment, or a blank line) keeps its key; moving it into another
 * loop, or changing what it awaits, does not.
 *
 * Invariant: the awaits are listed in source order, one per `await` of the
 * function outside nested functions (nested async closures have their own list).
 */
import ts from "typescript";

export interface SourceAwait {
  line: number;
  /** Key without its ordinal (manifest.ts numbers equal keys in source order). */
  key: string;
  /** The statement the await is part of (of a loop, if, switch: its header), bodies of functions left out. */
  statement: string;
}

export const TEMPORARY = "(temporary)";

/**
 * The text of `n`, whitespace collapsed, with the bodies of functions inside it
 * left out: an edit inside an async closure's body moves the closure's own
 * awaits, not the key of the `await Promise.all(...)` that starts it.
 */
function textOf(n: ts.Node, sf: ts.SourceFile): string {
  const start = n.getStart(sf);
  const cuts: [number, number][] = [];
  const visit = (c: ts.Node): void => {
    if (ts.isFunctionLike(c) && "body" in c && c.body) {
      const body = c.body as ts.Node;
      cuts.push([body.getStart(sf), body.end]);
      return;
    }
    ts.forEachChild(c, visit);
  };
  ts.forEachChild(n, visit);
  let text = "";
  let at = start;
  for (const [from, to] of cuts) {
    text += sf.text.slice(at, from) + "…";
    at = to;
  }
  text += sf.text.slice(at, n.end);
  return text.replace(/\s+/g, " ").trim();
}

/** The structure between `node` and the function `fn`, outermost first. */
function structureOf(node: ts.Node, fn: ts.Node, sf: ts.SourceFile): string[] {
  const out: string[] = [];
  let child: ts.Node = node;
  for (let p = node.parent; p && p !== fn; child = p, p = p.parent) {
    const level = levelOf(p, child, sf);
    if (level) out.push(level);
  }
  return out.reverse();
}

/** One level of structure: what of `parent` encloses `child`, or undefined when it is no branching or repetition. */
function levelOf(parent: ts.Node, child: ts.Node, sf: ts.SourceFile): string | undefined {
  if (ts.isIfStatement(parent)) {
    if (child === parent.expression) return undefined;
    return `if (${textOf(parent.expression, sf)}) ${child === parent.elseStatement ? "else" : "then"}`;
  }
  if (ts.isForOfStatement(parent) || ts.isForInStatement(parent)) {
    if (child === parent.expression) return undefined;
    return `for (${textOf(parent.initializer, sf)} ${ts.isForOfStatement(parent) ? "of" : "in"} ${textOf(parent.expression, sf)})`;
  }
  if (ts.isForStatement(parent)) {
    if (child === parent.initializer) return undefined;
    const part = (e: ts.Node | undefined) => (e ? textOf(e, sf) : "");
    return `for (${part(parent.initializer)}; ${part(parent.condition)}; ${part(parent.incrementor)})`;
  }
  if (ts.isWhileStatement(parent)) return `while (${textOf(parent.expression, sf)})`;
  if (ts.isDoStatement(parent)) return `do while (${textOf(parent.expression, sf)})`;
  if (ts.isTryStatement(parent)) return child === parent.tryBlock ? "try" : child === parent.catchClause ? "catch" : "finally";
  if (ts.isCaseClause(parent)) return `case ${textOf(parent.expression, sf)}`;
  if (ts.isDefaultClause(parent)) return "default";
  if (ts.isSwitchStatement(parent)) return child === parent.expression ? undefined : `switch (${textOf(parent.expression, sf)})`;
  if (ts.isLabeledStatement(parent)) return `${parent.label.text}:`;
  if (ts.isConditionalExpression(parent)) {
    if (child === parent.condition) return undefined;
    return `(${textOf(parent.condition, sf)}) ? ${child === parent.whenTrue ? "then" : "else"}`;
  }
  if (ts.isBinaryExpression(parent) && child === parent.right) {
    const op = parent.operatorToken.kind;
    if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken ||
        op === ts.SyntaxKind.AmpersandAmpersandEqualsToken || op === ts.SyntaxKind.BarBarEqualsToken || op === ts.SyntaxKind.QuestionQuestionEqualsToken) {
      return `${textOf(parent.left, sf)} ${parent.operatorToken.getText(sf)}`;
    }
  }
  return undefined;
}

/** The text of the statement `n` is part of: for a compound statement, only the part of its header that holds `n`. */
function statementOf(n: ts.Node, fn: ts.Node, sf: ts.SourceFile): string {
  let child: ts.Node = n;
  for (let p = n.parent; p && p !== fn; child = p, p = p.parent) {
    if (ts.isStatement(p) || ts.isVariableDeclarationList(p) && ts.isForStatement(p.parent)) {
      const compound = ts.isIfStatement(p) || ts.isIterationStatement(p, false) || ts.isSwitchStatement(p) || ts.isForStatement(p.parent);
      return textOf(compound ? child : p, sf);
    }
  }
  return textOf(child, sf);
}

/** Visits `fn`'s own code: nested functions are skipped (they are compiled, and keyed, on their own). */
function forOwnNodes(fn: ts.Node, visit: (n: ts.Node) => void): void {
  const walk = (n: ts.Node): void => {
    if (n !== fn && ts.isFunctionLike(n)) return;
    visit(n);
    ts.forEachChild(n, walk);
  };
  walk(fn);
}

export function sourceAwaits(fn: ts.Node, fnKey: string): SourceAwait[] {
  const sf = fn.getSourceFile();
  const out: SourceAwait[] = [];
  forOwnNodes(fn, (n) => {
    if (!ts.isAwaitExpression(n)) return;
    const line = sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
    const key = [fnKey, structureOf(n, fn, sf).join(" > "), `await ${textOf(n.expression, sf)}`].filter((part) => part !== "").join(" | ");
    out.push({ line, key, statement: statementOf(n, fn, sf) });
  });
  return out;
}

/**
 * The printed type of each local `fn` declares (parameters, variables,
 * destructured names, catch variables, loop variables), asked by name: types
 * are printed only for the names asked (the live ones), since the checker
 * computes a type when it is first asked for it. A name declared twice
 * (shadowing blocks) gets its types joined, so a change of either is seen.
 */
export class LocalTypes {
  private readonly declared = new Map<string, ts.Identifier[]>();
  private readonly printed = new Map<string, string>();

  constructor(fn: ts.Node, private readonly checker: ts.TypeChecker) {
    const add = (name: ts.BindingName): void => {
      if (ts.isIdentifier(name)) {
        (this.declared.get(name.text) ?? this.declared.set(name.text, []).get(name.text)!).push(name);
        return;
      }
      for (const el of name.elements) if (!ts.isOmittedExpression(el)) add(el.name);
    };
    if (ts.isFunctionLike(fn)) for (const p of fn.parameters) add(p.name);
    forOwnNodes(fn, (n) => {
      if (ts.isVariableDeclaration(n)) add(n.name);
    });
  }

  get(name: string): string | undefined {
    const known = this.printed.get(name);
    if (known !== undefined) return known;
    const decls = this.declared.get(name);
    if (!decls) return undefined;
    const types = new Set(decls.map((d) => this.checker.typeToString(this.checker.getTypeAtLocation(d), undefined, ts.TypeFormatFlags.NoTruncation)));
    const type = [...types].sort().join(" ; ");
    this.printed.set(name, type);
    return type;
  }
}

/**
 * The type of a frame local named `name` in the lowered code: TypeScript's
 * ES5 lowering renames a shadowing binding `x` to `x_1` and names the copy of
 * a for-of's array `items_1`; anything else it adds (`_a`, `_i`) is a temporary.
 */
export function typeOfLocal(types: { get(name: string): string | undefined }, name: string): string {
  return types.get(name) ?? types.get(name.replace(/_\d+$/, "")) ?? TEMPORARY;
}
