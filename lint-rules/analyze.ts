/**
 * Runs every rule over the code orchestrations execute: each orchestration
 * body and ctx helper, the closures inside them, and, transitively, every
 * function of the user's program they call or construct (class methods and
 * helpers in other modules included, `f.call`/`f.apply`/`f.bind` seen
 * through, getters and setters a property access runs, and, for `new C()`,
 * C's instance field initializers and the constructors of C and its base
 * classes). Default values of parameters are part of their function.
 * Activities, entity operations and code no orchestration reaches are never
 * visited.
 *
 * Invariant: each function is visited once, with the first (shortest, in
 * program order) call path that reaches it, so a finding is reported once and
 * its message names one deterministic call chain. The result depends only on
 * the program, which is why the ESLint plugin can cache it per program.
 */
import ts from "typescript";
import type { NwcDiagnostic } from "../compiler/diagnostics.ts";
import { describeFunction, discoverRoots, hasCtxParameter, isNwcSymbol, isUserFile, resolveAlias } from "./discover.ts";
import { isWriteTarget } from "./assignment.ts";
import { calleeOf, classOf, symbolOf, userBaseClass, userFunctionOf } from "./resolve.ts";
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

function isStatic(m: ts.ClassElement): boolean {
  return (ts.getCombinedModifierFlags(m as ts.Declaration) & ts.ModifierFlags.Static) !== 0;
}

function describeConstruction(target: ts.FunctionLikeDeclaration | ts.ClassLikeDeclaration): string {
  return ts.isClassLike(target) ? `new ${target.name?.text ?? "<class>"}` : describeFunction(target);
}

export function analyzeProgram(program: ts.Program, rules: readonly RuleDefinition[]): Finding[] {
  const checker = program.getTypeChecker();
  const findings: Finding[] = [];
  const seenFindings = new Set<string>();
  const visited = new Set<ts.Node>();
  // A class stands for its construction: instance field initializers, own constructor, base class.
  const queue: { fn: ts.FunctionLikeDeclaration | ts.ClassLikeDeclaration; reach: Reach; rootKind: string; rootFile: string }[] = [];
  for (const root of discoverRoots(program)) {
    queue.push({ fn: root.fn, reach: { root: root.name, via: [] }, rootKind: root.kind === "orchestration" ? "orchestration" : "ctx helper", rootFile: root.fn.getSourceFile().fileName });
  }

  /** The user getters and setters a property access runs: the getter unless it is only assigned, the setter when written. */
  const accessorsRun = (node: ts.PropertyAccessExpression | ts.ElementAccessExpression): ts.FunctionLikeDeclaration[] => {
    const symbol = symbolOf(checker, node);
    if (!symbol || !(symbol.flags & ts.SymbolFlags.Accessor)) return [];
    const written = isWriteTarget(node);
    const p = node.parent;
    const assignedOnly = written && ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken;
    return (symbol.declarations ?? []).filter((d): d is ts.AccessorDeclaration =>
      (ts.isGetAccessorDeclaration(d) && !assignedOnly) || (ts.isSetAccessorDeclaration(d) && written));
  };

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
    if (visited.has(fn) || (!ts.isClassLike(fn) && !fn.body)) continue;
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
        if (ts.isNewExpression(node)) follow(classOf(checker, node.expression));
        else follow(userFunctionOf(program, calleeOf(checker, node.expression)));
        // A function passed by name (`items.map(stamp)`) runs here too.
        for (const arg of node.arguments ?? []) {
          if (ts.isIdentifier(arg) || ts.isPropertyAccessExpression(arg)) follow(userFunctionOf(program, arg));
        }
      }
      if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
        for (const accessor of accessorsRun(node)) follow(accessor);
      }
      ts.forEachChild(node, walk);
    };
    const follow = (target: ts.FunctionLikeDeclaration | ts.ClassLikeDeclaration | undefined): void => {
      if (target && !visited.has(target) && isUserFile(program, target.getSourceFile())) {
        queue.push({ fn: target, reach: { root: reach.root, via: [...reach.via, describeConstruction(target)] }, rootKind, rootFile });
      }
    };
    if (ts.isClassLike(fn)) {
      visited.add(fn);
      for (const m of fn.members) {
        if (ts.isPropertyDeclaration(m) && m.initializer && !isStatic(m)) walk(m.initializer);
      }
      follow(fn.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && !!m.body));
      follow(userBaseClass(program, fn));
      continue;
    }
    walkFunction(fn);
    for (const p of fn.parameters) walk(p);
    walk(fn.body!);
    current = undefined;
  }
  return findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.start - b.start || a.code.localeCompare(b.code)));
}
