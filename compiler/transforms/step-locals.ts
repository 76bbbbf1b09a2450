/**
 * Which locals of a compiled function never hold a value across an await, so they
 * can stay ordinary locals of the step function instead of frame slots. A value that
 * is not in the frame need not be serializable: `const f = (x) => x + 1` or a symbol
 * used between two awaits is fine, as it is in the source (NWC2001 only reports
 * locals live across an await), and so is a temporary of the lowering (a
 * destructuring or computed-key temporary) holding a symbol-keyed object.
 *
 * A local qualifies when, in the ES5 generator body (a `switch (_a.label)` whose
 * cases run from one await to the next):
 * - no reference is inside a nested function (a closure may run later, in another
 *   step) or outside the switch;
 * - in every case clause that references it, the first reference in evaluation
 *   order is a write that runs whenever the clause does (`x = e` with `e` not
 *   reading `x`, at the top of the clause or nested in unconditional expressions,
 *   as TypeScript's temporaries are: `src = (_a = {}, _a[k] = 2, _a)`), or a
 *   write at the start of an `if` branch whose reads all follow it there (a
 *   block's `const f = () => ...` used in that block), with every use after the
 *   `if` checked again as if the branch had not run.
 * A case is only ever entered at its start (a jump, a fall-through from the case
 * before, or a resume after an await), so every run of a clause assigns the local
 * before any read of it: its value never needs to survive a step.
 *
 * Before:  case 1: f = function (x) { return x + 1; }; out.push(f(_a.sent())); return [4, [7, t]];
 * After:   f is declared `var f` in the step function; `__nwc_L0.out` stays in the frame.
 *
 * Invariant: only names the analysis proves dead at every await are returned; any
 * shape it does not recognise keeps the local in the frame.
 */
import ts from "typescript";

/**
 * How evaluating a node first meets a name: "write" (an unconditional assignment),
 * "other" (a read, or any use it cannot prove to be one), "branchWrite" (only inside
 * branches of an `if`, each of which writes it before any read: what follows the `if`
 * must still be checked, as the branch may not have run), or not at all.
 */
type First = "write" | "other" | "branchWrite" | undefined;

/** Locals among `candidates` that never live across an await of `body` (the `__generator` body function). */
export function stepLocalNames(body: ts.FunctionExpression, candidates: ReadonlySet<string>): Set<string> {
  const sw = body.body.statements.find(ts.isSwitchStatement);
  // Without a switch the function has no await at all: one segment, its statements.
  const clauses: (readonly ts.Statement[])[] = sw ? sw.caseBlock.clauses.map((c) => c.statements) : [body.body.statements];
  const outside = body.body.statements.filter((s) => s !== sw);
  const out = new Set<string>();
  for (const name of candidates) {
    if (sw && outside.some((s) => mentions(s, name))) continue;
    let ok = false;
    for (const stmts of clauses) {
      const first = firstInSequence(stmts, name);
      if (first === "other") {
        ok = false;
        break;
      }
      if (first === "write" || first === "branchWrite") ok = true;
    }
    if (ok && !clauses.some((stmts) => stmts.some((st) => inNestedFunction(st, name)))) out.add(name);
  }
  return out;
}

/** The first use of `name` in statements run one after the other: a branch's write does not end the search. */
function firstInSequence(stmts: readonly ts.Statement[], name: string): First {
  let branchWrite = false;
  for (const st of stmts) {
    const first = firstUse(st, name);
    if (first === "branchWrite") branchWrite = true;
    else if (first) return first;
  }
  return branchWrite ? "branchWrite" : undefined;
}

/** An `if` branch (absent: not met): a block is a sequence, any other statement one step. */
function firstInBranch(branch: ts.Statement | undefined, name: string): First {
  if (!branch) return undefined;
  return ts.isBlock(branch) ? firstInSequence(branch.statements, name) : firstUse(branch, name);
}

/** The first use of `name` when `n` runs, in evaluation order (see `First`). */
function firstUse(n: ts.Node, name: string): First {
  const maybe = (...parts: (ts.Node | undefined)[]): First => (parts.some((p) => p && mentions(p, name)) ? "other" : undefined);
  if (ts.isIdentifier(n)) return n.text === name && !isPropertyName(n) ? "other" : undefined;
  if (ts.isFunctionLike(n)) return maybe(n);
  if (ts.isBinaryExpression(n)) {
    const op = n.operatorToken.kind;
    if (op === ts.SyntaxKind.EqualsToken && ts.isIdentifier(n.left) && n.left.text === name) return firstUse(n.right, name) ?? "write";
    if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) {
      return firstUse(n.left, name) ?? maybe(n.right);
    }
    return firstUse(n.left, name) ?? firstUse(n.right, name);
  }
  if (ts.isConditionalExpression(n)) return firstUse(n.condition, name) ?? maybe(n.whenTrue, n.whenFalse);
  if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === name) return n.initializer ? firstUse(n.initializer, name) ?? "write" : undefined;
  if (ts.isIfStatement(n)) {
    const inTest = firstUse(n.expression, name);
    if (inTest) return inTest;
    const [yes, no] = [firstInBranch(n.thenStatement, name), firstInBranch(n.elseStatement, name)];
    if (yes === "other" || no === "other") return "other";
    if (yes === "write" && no === "write") return "write";
    return yes || no ? "branchWrite" : undefined;
  }
  if (ts.isBlock(n)) return firstInSequence(n.statements, name);
  if (ts.isSwitchStatement(n)) return firstInSwitch(n, name);
  // `for (_i = 0, _a = e; ...)`: the initializer and the first test run whenever the loop does.
  if (ts.isForStatement(n)) return (n.initializer && firstUse(n.initializer, name)) ?? (n.condition && firstUse(n.condition, name)) ?? maybe(n.incrementor, n.statement);
  // A try block runs from its start; what it writes first is written, unless a throw before
  // the write lets the catch or finally block see the name: those must not use it then.
  if (ts.isTryStatement(n)) {
    const inTry = firstUse(n.tryBlock, name);
    if (inTry === "write" || inTry === "branchWrite") return maybe(n.catchClause, n.finallyBlock) ?? inTry;
    return inTry ?? maybe(n.catchClause) ?? (n.finallyBlock && firstUse(n.finallyBlock, name));
  }
  if (ts.isStatement(n) && !ts.isExpressionStatement(n) && !ts.isReturnStatement(n) && !ts.isThrowStatement(n) && !ts.isBlock(n) && !ts.isVariableStatement(n)) {
    return maybe(n);
  }
  if (ts.isOptionalChain(n)) return maybe(n);
  // Every other expression evaluates its parts in source order.
  return ts.forEachChild(n, (c) => firstUse(c, name));
}

/**
 * A switch met like an `if` with one branch per clause: a clause is entered at its
 * start and may fall through to every clause after it, so each is read as its
 * statements followed by all later ones (a `break` only shortens that path, so this
 * can report a read that never runs, never miss one). No clause need match: at most
 * "branchWrite", never "write".
 */
function firstInSwitch(n: ts.SwitchStatement, name: string): First {
  const inTest = firstUse(n.expression, name);
  if (inTest) return inTest;
  const clauses = n.caseBlock.clauses;
  // Labels are evaluated before any clause runs.
  if (clauses.some((c) => ts.isCaseClause(c) && mentions(c.expression, name))) return "other";
  let written = false;
  for (let i = 0; i < clauses.length; i++) {
    const first = firstInSequence(clauses.slice(i).flatMap((c) => c.statements), name);
    if (first === "other") return "other";
    if (first) written = true;
  }
  return written ? "branchWrite" : undefined;
}

function inNestedFunction(n: ts.Node, name: string): boolean {
  if (ts.isFunctionLike(n)) return mentions(n, name);
  return !!ts.forEachChild(n, (c) => inNestedFunction(c, name));
}

function mentions(n: ts.Node, name: string): boolean {
  if (ts.isIdentifier(n) && n.text === name && !isPropertyName(n)) return true;
  return !!ts.forEachChild(n, (c) => mentions(c, name));
}

function isPropertyName(n: ts.Identifier): boolean {
  const p = n.parent;
  return (ts.isPropertyAccessExpression(p) && p.name === n) || (ts.isPropertyAssignment(p) && p.name === n);
}
