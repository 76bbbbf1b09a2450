/**
 * The lowered side of an upgrade manifest: reads one step-function definition
 * (the text hoist-frame.ts makes) and says, for each await, its resume label,
 * the try regions around it, and which frame locals are live there: read by
 * code the branch may run after resuming before that code writes them.
 *
 * Frame locals are the `__nwc_L<d>.<name>` accesses of the definition (d is
 * the scope depth). Liveness is the usual backward analysis over the switch's
 * cases (`case k` falls through to k + 1, `return [3, L]` jumps to L, an await
 * at the end of case k resumes at k + 1, a region's try block may go to its
 * catch and finally, a finally ends at the region's end), with these
 * simplifications, all of them over-approximations (more locals live, never
 * fewer):
 * - a write kills a local only as a whole top-level statement (`x = e;` or a
 *   comma list of them); writes inside conditions or calls kill nothing;
 * - a case inside a try block is live with everything its catch and finally read;
 * - a case that creates an async closure reads every outer local the closure
 *   (or a closure inside it) reads; what nested sync functions read is live everywhere.
 *
 * Invariant: a local outside the live set of an await is written before any
 * read on every path from that await, so its value at the await does not matter.
 */
import ts from "typescript";

export interface FrameRef {
  name: string;
  depth: number;
}

export interface LoweredAwait {
  resume: number;
  line: number;
  /** The awaited expression as lowered (for awaits with no source counterpart, e.g. an `await using` disposal). */
  text: string;
  regions: (number | null)[][];
  live: FrameRef[];
  /** Live locals written in the case that ends with this await: the partial evaluation of its statement. */
  partial: FrameRef[];
}

export interface LoweredFunction {
  index: number;
  depth: number;
  /** Own frame locals (depth === this.depth), parameters included. */
  locals: string[];
  params: string[];
  awaits: LoweredAwait[];
  /** Outer locals this function and the closures it creates read (depth < this.depth). */
  outerReads: FrameRef[];
}

const ACCESS = /^__nwc_L(\d+)$/;
const refKey = (r: FrameRef) => `${r.depth}:${r.name}`;
const refOf = (key: string): FrameRef => ({ depth: Number(key.slice(0, key.indexOf(":"))), name: key.slice(key.indexOf(":") + 1) });

function frameRef(n: ts.Node): FrameRef | undefined {
  if (!ts.isPropertyAccessExpression(n) || !ts.isIdentifier(n.expression)) return undefined;
  const m = ACCESS.exec(n.expression.text);
  return m ? { depth: Number(m[1]), name: n.name.text } : undefined;
}

/** Indexes of the closures a node creates (`__nwc_fns[k]`). */
function closuresIn(n: ts.Node, out: Set<number>): void {
  if (ts.isElementAccessExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === "__nwc_fns" && ts.isNumericLiteral(n.argumentExpression)) {
    out.add(Number(n.argumentExpression.text));
  }
  ts.forEachChild(n, (c) => closuresIn(c, out));
}

interface Parsed {
  index: number;
  depth: number;
  params: string[];
  cases: Map<number, readonly ts.Statement[]>;
  /** Statements outside the switch (nested sync functions). */
  prelude: ts.Statement[];
  all: ts.Node;
  sf: ts.SourceFile;
}

function parse(index: number, text: string): Parsed {
  const sf = ts.createSourceFile(`step${index}.js`, `(${text})`, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const obj = ((sf.statements[0] as ts.ExpressionStatement).expression as ts.ParenthesizedExpression).expression as ts.ObjectLiteralExpression;
  const prop = (name: string) => obj.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === name);
  const body = prop("body")?.initializer;
  if (!body || !ts.isFunctionExpression(body)) throw new Error(`nwc compiler: step function ${index} has no body (internal error)`);
  const params = (prop("params")?.initializer as ts.ArrayLiteralExpression | undefined)?.elements.map((e) => (e as ts.StringLiteral).text) ?? [];
  let depth = -1;
  const first = body.body.statements[0];
  if (first && ts.isVariableStatement(first)) {
    for (const d of first.declarationList.declarations) {
      const m = ts.isIdentifier(d.name) ? ACCESS.exec(d.name.text) : null;
      if (m) depth = Math.max(depth, Number(m[1]));
    }
  }
  const cases = new Map<number, readonly ts.Statement[]>();
  const prelude: ts.Statement[] = [];
  for (const s of body.body.statements) {
    if (s === first) continue;
    if (ts.isSwitchStatement(s)) {
      for (const c of s.caseBlock.clauses) if (ts.isCaseClause(c) && ts.isNumericLiteral(c.expression)) cases.set(Number(c.expression.text), c.statements);
    } else prelude.push(s);
  }
  // A function without an await has no switch: its body is one straight run, label 0.
  if (cases.size === 0) cases.set(0, prelude.splice(0));
  return { index, depth, params, cases, prelude, all: obj, sf };
}

function opOf(s: ts.Node): { code: number; arg?: ts.Expression } | undefined {
  if (!ts.isReturnStatement(s) || !s.expression || !ts.isArrayLiteralExpression(s.expression)) return undefined;
  const [op, arg] = s.expression.elements;
  if (!op || !ts.isNumericLiteral(op)) return undefined;
  return { code: Number(op.text), arg };
}

function regionsOf(p: Parsed): (number | null)[][] {
  const out: (number | null)[][] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === "push" &&
        ts.isPropertyAccessExpression(n.expression.expression) && n.expression.expression.name.text === "trys") {
      const arr = n.arguments[0];
      if (arr && ts.isArrayLiteralExpression(arr)) {
        const r: (number | null)[] = [];
        for (let i = 0; i < 4; i++) {
          const e = arr.elements[i];
          r.push(e && ts.isNumericLiteral(e) ? Number(e.text) : null);
        }
        out.push(r);
      }
    }
    ts.forEachChild(n, visit);
  };
  for (const stmts of p.cases.values()) stmts.forEach(visit);
  return out.sort((a, b) => a[0]! - b[0]!);
}

/** Reads every step function of a machine and computes their awaits and live locals. */
export function loweredFunctions(defs: { index: number; text: string }[]): Map<number, LoweredFunction> {
  const parsed = new Map(defs.map((d) => [d.index, parse(d.index, d.text)]));
  // Outer reads of each function, closures it creates included (to a fixpoint: closures nest).
  const ownRefs = new Map<number, Set<string>>();
  const creates = new Map<number, Set<number>>();
  for (const p of parsed.values()) {
    const refs = new Set<string>();
    const visit = (n: ts.Node): void => {
      const r = frameRef(n);
      if (r) refs.add(refKey(r));
      ts.forEachChild(n, visit);
    };
    visit(p.all);
    ownRefs.set(p.index, refs);
    const made = new Set<number>();
    closuresIn(p.all, made);
    creates.set(p.index, made);
  }
  const outer = new Map<number, Set<string>>();
  const outerOf = (index: number, seen = new Set<number>()): Set<string> => {
    const known = outer.get(index);
    if (known) return known;
    const p = parsed.get(index);
    const out = new Set<string>();
    if (!p || seen.has(index)) return out;
    seen.add(index);
    for (const k of ownRefs.get(index)!) if (refOf(k).depth < p.depth) out.add(k);
    for (const c of creates.get(index)!) for (const k of outerOf(c, seen)) if (refOf(k).depth < p.depth) out.add(k);
    outer.set(index, out);
    return out;
  };
  const result = new Map<number, LoweredFunction>();
  for (const p of parsed.values()) result.set(p.index, analyse(p, (c) => outerOf(c)));
  return result;
}

function analyse(p: Parsed, closureReads: (index: number) => Set<string>): LoweredFunction {
  const regions = regionsOf(p);
  const labels = [...p.cases.keys()].sort((a, b) => a - b);
  const liveIn = new Map<number, Set<string>>(labels.map((l) => [l, new Set<string>()]));
  const get = (label: number) => liveIn.get(label) ?? new Set<string>();
  // What a node reads never changes: computed once per node (the fixpoint below asks many times).
  const readsOf = new Map<ts.Node, string[]>();
  const reads = (n: ts.Node, into: Set<string>): Set<string> => {
    let found = readsOf.get(n);
    if (!found) {
      const set = new Set<string>();
      const visit = (c: ts.Node): void => {
        const r = frameRef(c);
        if (r) set.add(refKey(r));
        if (ts.isElementAccessExpression(c) && ts.isIdentifier(c.expression) && c.expression.text === "__nwc_fns" && ts.isNumericLiteral(c.argumentExpression)) {
          for (const k of closureReads(Number(c.argumentExpression.text))) set.add(k);
        }
        ts.forEachChild(c, visit);
      };
      visit(n);
      found = [...set];
      readsOf.set(n, found);
    }
    for (const k of found) into.add(k);
    return into;
  };
  const everywhere = new Set<string>();
  for (const s of p.prelude) reads(s, everywhere);

  const regionEnd = (label: number) => regions.find((r) => r[2] !== null && label >= r[2]! && label < r[3]!)?.[3] ?? null;
  const transferExpr = (e: ts.Expression, live: Set<string>): Set<string> => {
    if (ts.isParenthesizedExpression(e)) return transferExpr(e.expression, live);
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.CommaToken) return transferExpr(e.left, transferExpr(e.right, live));
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const target = frameRef(e.left);
      if (target) {
        const out = new Set(live);
        out.delete(refKey(target));
        return reads(e.right, out);
      }
    }
    return reads(e, new Set(live));
  };
  const transfer = (s: ts.Statement, live: Set<string>, label: number): Set<string> => {
    const op = opOf(s);
    if (op) {
      const out = new Set<string>();
      if (op.arg) reads(op.arg, out);
      if (op.code === 3 && op.arg && ts.isNumericLiteral(op.arg)) return get(Number(op.arg.text));
      if (op.code === 4 || op.code === 5) for (const k of get(label + 1)) out.add(k);
      if (op.code === 7) {
        const end = regionEnd(label);
        if (end !== null) for (const k of get(end)) out.add(k);
      }
      return out;
    }
    if (ts.isThrowStatement(s)) return reads(s.expression, new Set());
    if (ts.isExpressionStatement(s)) return transferExpr(s.expression, live);
    if (ts.isBlock(s)) return [...s.statements].reverse().reduce((acc, x) => transfer(x, acc, label), live);
    if (ts.isIfStatement(s)) {
      const out = transfer(s.thenStatement, live, label);
      for (const k of s.elseStatement ? transfer(s.elseStatement, live, label) : live) out.add(k);
      return reads(s.expression, new Set(out));
    }
    // Anything else (a sync loop, a var statement, a nested switch): reads only, and any jump it holds.
    const out = reads(s, new Set(live));
    const jumps = (n: ts.Node): void => {
      const o = opOf(n);
      if (o?.code === 3 && o.arg && ts.isNumericLiteral(o.arg)) for (const k of get(Number(o.arg.text))) out.add(k);
      if (o && (o.code === 4 || o.code === 5)) for (const k of get(label + 1)) out.add(k);
      ts.forEachChild(n, jumps);
    };
    jumps(s);
    return out;
  };
  const terminal = (stmts: readonly ts.Statement[]) => {
    const last = stmts[stmts.length - 1];
    return !!last && (ts.isReturnStatement(last) || ts.isThrowStatement(last));
  };
  for (let changed = true; changed;) {
    changed = false;
    for (const label of [...labels].reverse()) {
      const stmts = p.cases.get(label)!;
      let live = terminal(stmts) ? new Set<string>() : new Set(get(label + 1));
      for (const s of [...stmts].reverse()) live = transfer(s, live, label);
      for (const r of regions) {
        const inTry = label >= r[0]! && label < (r[1] ?? r[2] ?? r[3]!);
        const inCatch = r[1] !== null && label >= r[1] && label < (r[2] ?? r[3]!);
        if (inTry && r[1] !== null) for (const k of get(r[1])) live.add(k);
        if ((inTry || inCatch) && r[2] !== null) for (const k of get(r[2])) live.add(k);
      }
      for (const k of everywhere) live.add(k);
      const before = liveIn.get(label)!;
      for (const k of live) {
        if (!before.has(k)) {
          before.add(k);
          changed = true;
        }
      }
    }
  }

  const own = new Set<string>(p.params);
  const visit = (n: ts.Node): void => {
    const r = frameRef(n);
    if (r && r.depth === p.depth) own.add(r.name);
    ts.forEachChild(n, visit);
  };
  visit(p.all);

  const awaits: LoweredAwait[] = [];
  for (const label of labels) {
    const stmts = p.cases.get(label)!;
    const last = stmts[stmts.length - 1];
    const op = last && opOf(last);
    if (!op || op.code !== 4 || !op.arg || !ts.isArrayLiteralExpression(op.arg)) continue;
    const [lineNode, awaited] = op.arg.elements;
    const resume = label + 1;
    const written = new Set<string>();
    const writes = (n: ts.Node): void => {
      if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
        const target = frameRef(n.left);
        if (target) written.add(refKey(target));
      }
      ts.forEachChild(n, writes);
    };
    stmts.forEach(writes);
    awaits.push({
      resume,
      line: lineNode && ts.isNumericLiteral(lineNode) ? Number(lineNode.text) : 0,
      text: awaited ? awaited.getText(p.sf).replace(/\s+/g, " ") : "",
      regions: regions.filter((r) => label >= r[0]! && label < r[3]!).map((r) => r.slice()),
      live: [...get(resume)].map(refOf).sort((a, b) => a.depth - b.depth || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      partial: [...get(resume)].filter((k) => written.has(k)).map(refOf),
    });
  }
  return {
    index: p.index,
    depth: p.depth,
    locals: [...own].sort(),
    params: p.params,
    awaits,
    outerReads: [...closureReads(p.index)].map(refOf),
  };
}
