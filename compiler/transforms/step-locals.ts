/**
 * Which locals of a compiled function never hold a value across an await, so they
 * can stay ordinary locals of the step function instead of frame slots. A value that
 * is not in the frame need not be serializable: `const f = (x) => x + 1` or a symbol
 * used between two awaits is fine, as it is in the source (NWC2001 only reports
 * locals live across an await).
 *
 * A local qualifies when, in the ES5 generator body (a `switch (_a.label)` whose
 * cases run from one await to the next):
 * - every reference is in one case clause, and none is inside a nested function
 *   (a closure may run later, in another step);
 * - its first reference is written at the top level of that clause, as
 *   `x = e` (possibly in a comma list of such assignments), `e` not reading `x`.
 * A case is only ever entered at its start, so every run of the clause assigns the
 * local before any read of it: its value never needs to survive a step.
 *
 * Before:  case 1: f = function (x) { return x + 1; }; out.push(f(_a.sent())); return [4, [7, t]];
 * After:   f is declared `var f` in the step function; `__nwc_L0.out` stays in the frame.
 *
 * Invariant: only names the analysis proves dead at every await are returned; any
 * shape it does not recognise keeps the local in the frame.
 */
import ts from "typescript";

/** Locals among `candidates` that never live across an await of `body` (the `__generator` body function). */
export function stepLocalNames(body: ts.FunctionExpression, candidates: ReadonlySet<string>): Set<string> {
  const sw = body.body.statements.find(ts.isSwitchStatement);
  // Without a switch the function has no await at all: one segment, its statements.
  const clauses: (readonly ts.Statement[])[] = sw ? sw.caseBlock.clauses.map((c) => c.statements) : [body.body.statements];
  const clauseOf = new Map<string, number>();
  const disqualified = new Set<string>();
  const firstWriteOk = new Map<string, boolean>();

  const refsIn = (n: ts.Node, clause: number, nested: boolean): void => {
    if (ts.isIdentifier(n) && candidates.has(n.text) && !isPropertyName(n)) {
      const seen = clauseOf.get(n.text);
      if (nested || (seen !== undefined && seen !== clause)) disqualified.add(n.text);
      clauseOf.set(n.text, clause);
      if (!firstWriteOk.has(n.text)) firstWriteOk.set(n.text, false);
    }
    ts.forEachChild(n, (c) => refsIn(c, clause, nested || (ts.isFunctionLike(c) && c !== body)));
  };

  /** An expression run unconditionally at the top of clause `k`: a comma list whose assignments may be first writes. */
  const topLevel = (e: ts.Expression, k: number): void => {
    for (const part of commaParts(e)) {
      if (ts.isBinaryExpression(part) && part.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(part.left) &&
          candidates.has(part.left.text) && !firstWriteOk.has(part.left.text) && !mentions(part.right, part.left.text)) {
        refsIn(part.right, k, false);
        firstWriteOk.set(part.left.text, true);
        refsIn(part.left, k, false);
      } else refsIn(part, k, false);
    }
  };
  // A plain block inside a clause runs unconditionally, like the clause's own statements.
  const flat = (stmts: readonly ts.Statement[]): ts.Statement[] => stmts.flatMap((s) => (ts.isBlock(s) ? flat(s.statements) : [s]));
  clauses.forEach((stmts, k) => {
    for (const s of flat(stmts)) {
      // Assignments at the top level of the clause, in order, before anything else reads the name.
      if (ts.isExpressionStatement(s)) {
        topLevel(s.expression, k);
      } else if (ts.isForStatement(s) && s.initializer && !ts.isVariableDeclarationList(s.initializer)) {
        // `for (_i = 0, _a = e; ...)`: the initializer runs first, unconditionally.
        topLevel(s.initializer, k);
        for (const c of [s.condition, s.incrementor, s.statement]) if (c) refsIn(c, k, false);
      } else refsIn(s, k, false);
    }
  });
  // Names used outside the switch (before it, in the generator body) stay in the frame.
  for (const s of body.body.statements) if (s !== sw && sw) refsIn(s, -1, true);
  const out = new Set<string>();
  for (const [name, ok] of firstWriteOk) if (ok && !disqualified.has(name)) out.add(name);
  return out;
}

function commaParts(e: ts.Expression): ts.Expression[] {
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.CommaToken) return [...commaParts(e.left), ...commaParts(e.right)];
  return [e];
}

function mentions(n: ts.Node, name: string): boolean {
  if (ts.isIdentifier(n) && n.text === name && !isPropertyName(n)) return true;
  return !!ts.forEachChild(n, (c) => mentions(c, name));
}

function isPropertyName(n: ts.Identifier): boolean {
  const p = n.parent;
  return (ts.isPropertyAccessExpression(p) && p.name === n) || (ts.isPropertyAssignment(p) && p.name === n);
}
