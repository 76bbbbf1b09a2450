/**
 * The control graph of a compiled machine (runtime/machine.ts MachineGraph):
 * states are await points, one per `return [4, [line, task]]` of a step
 * function, with id `<function index>:<resume label>` (the label the branch
 * holds while it waits, which is what `Machine.position` reports), plus
 * "start" and "end".
 *
 * Edges come from the labels of the ES5 switch: a case falls through to the
 * next, `return [3, L]` jumps to L, `return [2, v]` returns, a
 * `trys.push([try, catch, finally, end])` region may jump to its catch and
 * finally labels, and an await at the end of case k resumes at k + 1.
 *
 * Invariant: every await of the source appears as exactly one state; the
 * edges over-approximate the possible successions (a conditional jump
 * contributes both of its successors), never omit one.
 */
import ts from "typescript";
import type { MachineGraph } from "../../runtime/machine.ts";

export interface FunctionFlow {
  /** label -> successor labels, "await:<resume>" or "return". */
  next: Map<number, Set<string>>;
  awaits: Map<number, { line: number; text: string }>;
}

export function flowOf(body: ts.FunctionExpression, sf: ts.SourceFile): FunctionFlow {
  const next = new Map<number, Set<string>>();
  const awaits = new Map<number, { line: number; text: string }>();
  const sw = body.body.statements.find(ts.isSwitchStatement);
  const add = (k: number, to: string) => (next.get(k) ?? next.set(k, new Set()).get(k)!).add(to);
  const regions: number[][] = [];
  const scan = (label: number, clauseStmts: readonly ts.Statement[]) => {
    const visit = (n: ts.Node): void => {
      if (ts.isFunctionLike(n)) return;
      if (ts.isReturnStatement(n) && n.expression && ts.isArrayLiteralExpression(n.expression)) {
        const [op, arg] = n.expression.elements;
        const code = op && ts.isNumericLiteral(op) ? Number(op.text) : -1;
        if (code === 4 && arg && ts.isArrayLiteralExpression(arg)) {
          const lineNode = arg.elements[0];
          const line = lineNode && ts.isNumericLiteral(lineNode) ? Number(lineNode.text) : 0;
          const text = arg.elements[1] ? arg.elements[1].getText(sf) : "";
          awaits.set(label + 1, { line, text: text.length > 60 ? text.slice(0, 57) + "..." : text });
          add(label, `await:${label + 1}`);
        } else if (code === 3 && arg && ts.isNumericLiteral(arg)) add(label, String(Number(arg.text)));
        else if (code === 2) add(label, "return");
        else if (code === 7) add(label, "endfinally");
      }
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === "push" &&
          ts.isPropertyAccessExpression(n.expression.expression) && n.expression.expression.name.text === "trys") {
        const arr = n.arguments[0];
        if (arr && ts.isArrayLiteralExpression(arr)) regions.push(arr.elements.map((e) => (ts.isNumericLiteral(e) ? Number(e.text) : -1)));
      }
      ts.forEachChild(n, visit);
    };
    clauseStmts.forEach(visit);
    const last = clauseStmts[clauseStmts.length - 1];
    if (!last || !(ts.isReturnStatement(last) || ts.isThrowStatement(last))) add(label, String(label + 1));
  };
  if (sw) {
    for (const clause of sw.caseBlock.clauses) {
      if (ts.isCaseClause(clause) && ts.isNumericLiteral(clause.expression)) scan(Number(clause.expression.text), clause.statements);
    }
  } else {
    add(0, "return");
  }
  for (const [t, c, fin, end] of regions) {
    for (const k of next.keys()) {
      if (k >= t! && k < (c! > 0 ? c! : fin!)) {
        if (c! > 0) add(k, String(c));
        if (fin! > 0) add(k, String(fin));
      }
      if (fin! > 0 && k >= fin! && k < end!) {
        const set = next.get(k)!;
        if (set.has("endfinally")) {
          set.delete("endfinally");
          set.add(String(end));
          set.add("return");
        }
      }
    }
  }
  for (const set of next.values()) if (set.has("endfinally")) { set.delete("endfinally"); set.add("return"); }
  return { next, awaits };
}

/** The graph of one machine: its root function and the compiled closures nested in it. */
export function buildGraph(fns: { index: number; name: string; flow: FunctionFlow; root: boolean }[], sourceTexts?: Map<number, string[]>): MachineGraph {
  const used = new Map<number, number>();
  const labelOf = (a: { line: number; text: string }) => {
    // The hidden await of an `await using` scope's end shares its line with the
    // declaration's own await: name it for what it does.
    const disposed = /__nwc_rt\.dispose\(\s*([\w$]+)/.exec(a.text);
    if (disposed) return `dispose ${disposed[1]} (end of its await using scope)`;
    const texts = sourceTexts?.get(a.line);
    if (!texts || texts.length === 0) return `await ${a.text}`;
    const k = used.get(a.line) ?? 0;
    used.set(a.line, k + 1);
    return `await ${texts[Math.min(k, texts.length - 1)]}`;
  };
  const states: MachineGraph["states"] = [{ id: "start", label: "start" }, { id: "end", label: "end" }];
  const transitions: MachineGraph["transitions"] = [];
  const seen = new Set<string>();
  for (const fn of fns) {
    const exit = fn.root ? "end" : `${fn.index}:return`;
    if (!fn.root) states.push({ id: `${fn.index}:start`, label: `${fn.name} start` }, { id: exit, label: `${fn.name} returns` });
    for (const [resume, a] of fn.flow.awaits) states.push({ id: `${fn.index}:${resume}`, label: labelOf(a), line: a.line });
    const from = (label: number, src: string) => {
      const visited = new Set<number>();
      const stack = [label];
      while (stack.length) {
        const k = stack.pop()!;
        if (visited.has(k)) continue;
        visited.add(k);
        for (const to of fn.flow.next.get(k) ?? []) {
          let target: string | undefined;
          if (to === "return") target = exit;
          else if (to.startsWith("await:")) target = `${fn.index}:${to.slice(6)}`;
          else stack.push(Number(to));
          if (target && !seen.has(`${src}>${target}`)) {
            seen.add(`${src}>${target}`);
            transitions.push({ from: src, to: target });
          }
        }
      }
    };
    from(0, fn.root ? "start" : `${fn.index}:start`);
    for (const resume of fn.flow.awaits.keys()) from(resume, `${fn.index}:${resume}`);
  }
  return { states, transitions };
}
