/**
 * Runs every rule over the code orchestrations execute: each orchestration
 * body and ctx helper, the closures inside them, and, transitively, every
 * function of the user's program they call or construct (class methods and
 * helpers in other modules included). Activities, entity operations and code
 * no orchestration reaches are never visited.
 *
 * Invariant: each function is visited once, with the first (shortest, in
 * program order) call path that reaches it, so a finding is reported once and
 * its message names one deterministic call chain. The result depends only on
 * the program, which is why the ESLint plugin can cache it per program.
 */
import ts from "typescript";
import type { NwcDiagnostic } from "../compiler/diagnostics.ts";
import { describeFunction, discoverRoots, hasCtxParameter, isNwcSymbol, isUserFile, resolveAlias } from "./discover.ts";
import { userFunctionOf } from "./resolve.ts";
import { interpolate, type Reach, type RuleContext, type RuleDefinition, type Visitor } from "./rule.ts";

export interface Finding extends NwcDiagnostic {
  rule: string;
  messageId: string;
  /** Offsets into the file's text, for editors. */
  start: number;
  end: number;
  suggestion?: { description: string; start: number; end: number; text: string };
  /** File of the orchestration or ctx helper the finding is reached from. */
  rootFile: string;
}

/** Longest expression text kept in a diagnostic: enough to recognise it, short enough for one line. */
const MAX_EXPRESSION_CHARS = 80;

function expressionText(node: ts.Node): string {
  const text = node.getText().replace(/\s+/g, " ");
  return text.length > MAX_EXPRESSION_CHARS ? `${text.slice(0, MAX_EXPRESSION_CHARS - 3)}...` : text;
}

function viaText(reach: Reach, rootKind: string): string {
  if (reach.via.length === 0) return "";
  return ` (reached from ${rootKind} "${reach.root}" through ${reach.via.join(" -> ")})`;
}

/** Nested calls of nwc's `activity`/`entity`: their functions run outside the orchestration. */
function isNonOrchestrationDefinition(checker: ts.TypeChecker, node: ts.Node): boolean {
  if (!ts.isCallExpression(node)) return false;
  const symbol = resolveAlias(checker, checker.getSymbolAtLocation(node.expression));
  // The author API's functions, not the context's methods of the same name (`ctx.entity`).
  if (!symbol?.valueDeclaration || !ts.isFunctionDeclaration(symbol.valueDeclaration)) return false;
  return isNwcSymbol(checker, symbol, "activity") || isNwcSymbol(checker, symbol, "entity");
}

export function analyzeProgram(program: ts.Program, rules: readonly RuleDefinition[]): Finding[] {
  const checker = program.getTypeChecker();
  const findings: Finding[] = [];
  const seenFindings = new Set<string>();
  const visited = new Set<ts.Node>();
  const queue: { fn: ts.FunctionLikeDeclaration; reach: Reach; rootKind: string; rootFile: string }[] = [];
  for (const root of discoverRoots(program)) {
    queue.push({ fn: root.fn, reach: { root: root.name, via: [] }, rootKind: root.kind === "orchestration" ? "orchestration" : "ctx helper", rootFile: root.fn.getSourceFile().fileName });
  }

  const ctxNameAt = (node: ts.Node): string | undefined => {
    for (let n: ts.Node | undefined = node; n; n = n.parent) {
      if (ts.isFunctionLike(n) && hasCtxParameter(checker, n)) {
        const p = n.parameters[0]!.name;
        return ts.isIdentifier(p) ? p.text : undefined;
      }
    }
    return undefined;
  };

  while (queue.length > 0) {
    const { fn, reach, rootKind, rootFile } = queue.shift()!;
    if (visited.has(fn) || !fn.body) continue;
    const via = viaText(reach, rootKind);
    const context: RuleContext = {
      program, checker, reach, ctxNameAt,
      report({ node, messageId, data = {}, suggestion }) {
        const rule = current!;
        const template = rule.messages[messageId];
        if (!template) throw new Error(`rule ${rule.name} reported unknown message id "${messageId}"`);
        const full = { ctx: ctxNameAt(node) ?? "ctx", ...data, via };
        const sf = node.getSourceFile();
        const start = node.getStart(sf);
        const key = `${rule.code}:${sf.fileName}:${start}:${messageId}`;
        if (seenFindings.has(key)) return;
        seenFindings.add(key);
        const s = sf.getLineAndCharacterOfPosition(start);
        const e = sf.getLineAndCharacterOfPosition(node.getEnd());
        findings.push({
          code: rule.code, rule: rule.name, messageId, file: sf.fileName,
          line: s.line + 1, column: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1,
          message: interpolate(template.message, full), fix: interpolate(template.fix, full),
          expression: expressionText(node), start, end: node.getEnd(), rootFile,
          suggestion: suggestion && { description: suggestion.description, start: suggestion.node.getStart(sf), end: suggestion.node.getEnd(), text: suggestion.text },
        });
      },
    };
    let current: RuleDefinition | undefined;
    const visitors = rules.map((rule) => ({ rule, visitors: rule.create(context) as Partial<Record<ts.SyntaxKind, Visitor>> }));

    const walkFunction = (f: ts.FunctionLikeDeclaration): void => {
      visited.add(f);
      for (const rule of rules) {
        if (rule.checkFunction) { current = rule; rule.checkFunction(context, f); }
      }
    };
    const walk = (node: ts.Node): void => {
      if (isNonOrchestrationDefinition(checker, node)) return;
      if (ts.isFunctionLike(node) && node !== fn) {
        if (visited.has(node)) return;
        walkFunction(node as ts.FunctionLikeDeclaration);
      }
      for (const { rule, visitors: v } of visitors) {
        const visit = v[node.kind];
        if (visit) { current = rule; visit(node); }
      }
      if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
        const follow = (target: ts.FunctionLikeDeclaration | undefined): void => {
          if (target && !visited.has(target) && isUserFile(program, target.getSourceFile())) {
            queue.push({ fn: target, reach: { root: reach.root, via: [...reach.via, describeFunction(target)] }, rootKind, rootFile });
          }
        };
        follow(userFunctionOf(program, node.expression, ts.isNewExpression(node)));
        // A function passed by name (`items.map(stamp)`) runs here too.
        for (const arg of node.arguments ?? []) {
          if (ts.isIdentifier(arg) || ts.isPropertyAccessExpression(arg)) follow(userFunctionOf(program, arg, false));
        }
      }
      ts.forEachChild(node, walk);
    };
    walkFunction(fn);
    walk(fn.body);
    current = undefined;
  }
  return findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.start - b.start || a.code.localeCompare(b.code)));
}
