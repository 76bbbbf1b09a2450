/**
 * Finds what the compiler translates: every `orchestration(name, asyncFn)` call
 * whose callee resolves (through the type checker, aliases included) to nwc's
 * export, and every async helper taking an `OrchestrationContext`; plus a
 * symbol-based test for ctx method calls (`ctx.call`, `c.sleep`, ...).
 *
 * Invariant: recognition goes through symbols, never spelling: a renamed import
 * counts, a local function that happens to be called `orchestration` does not,
 * and a renamed ctx parameter is still a ctx. The symbol helpers live in
 * lint-rules/discover.ts (shared with the effect checks); this file adds the
 * compiler's view (call sites to rewrite, async-ness, ctx methods).
 */
import ts from "typescript";
import { discoverRoots, isNwcDeclaration, isNwcSymbol, resolveAlias } from "../lint-rules/discover.ts";

export { isNwcDeclaration, isNwcSymbol, resolveAlias } from "../lint-rules/discover.ts";

export interface Discovered {
  kind: "orchestration" | "helper";
  /** Registered orchestration name, or the helper's function name. */
  name: string;
  /** The async function to compile. */
  fn: ts.FunctionLikeDeclaration;
  /** For orchestrations: the `orchestration(...)` call whose second argument is rewritten. */
  call?: ts.CallExpression;
  sourceFile: ts.SourceFile;
}

function isAsync(fn: ts.FunctionLikeDeclaration): boolean {
  return !!ts.getCombinedModifierFlags(fn as ts.Declaration) && (ts.getCombinedModifierFlags(fn as ts.Declaration) & ts.ModifierFlags.Async) !== 0;
}

/** Orchestrations and ctx helpers of the program's user files, in program order. */
export function discover(program: ts.Program, files?: ReadonlySet<string>): Discovered[] {
  const out: Discovered[] = [];
  for (const root of discoverRoots(program)) {
    const sf = root.fn.getSourceFile();
    if (files && !files.has(sf.fileName)) continue;
    let call: ts.CallExpression | undefined;
    if (root.kind === "orchestration") {
      // The call whose second argument is this function (inline, or through an identifier).
      let p: ts.Node = root.fn;
      while (p.parent && (ts.isParenthesizedExpression(p.parent) || ts.isAsExpression(p.parent) || ts.isSatisfiesExpression(p.parent))) p = p.parent;
      if (ts.isCallExpression(p.parent) && p.parent.arguments[1] === p) call = p.parent;
    } else if (!isAsync(root.fn)) {
      continue; // a sync function taking ctx is ordinary code (it cannot await)
    }
    out.push({ kind: root.kind, name: root.name, fn: root.fn, call, sourceFile: sf });
  }
  return out;
}

/** The ctx methods (declared on nwc's OrchestrationContext) a call may target. */
export type CtxMethod = keyof import("../runtime/api.ts").OrchestrationContext;

/**
 * If `call` is `<expr>.<method>(...)` where `<method>` is declared on nwc's
 * `OrchestrationContext` (so `ctx.call`, `c.call` with `c` a renamed context),
 * the method name; otherwise undefined.
 */
export function ctxMethodOf(checker: ts.TypeChecker, call: ts.CallExpression): CtxMethod | undefined {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) && !ts.isElementAccessExpression(callee)) return undefined;
  const symbol = resolveAlias(checker, checker.getSymbolAtLocation(ts.isPropertyAccessExpression(callee) ? callee.name : callee.argumentExpression));
  const decl = symbol?.declarations?.[0];
  if (!decl || !isNwcDeclaration(symbol)) return undefined;
  const owner = decl.parent;
  if (!ts.isInterfaceDeclaration(owner) || owner.name.text !== "OrchestrationContext") return undefined;
  return symbol!.name as CtxMethod;
}

/** Is `call` a call of a ctx method (optionally one of `names`)? */
export function isCtxMethodCall(checker: ts.TypeChecker, call: ts.CallExpression, names?: readonly CtxMethod[]): boolean {
  const m = ctxMethodOf(checker, call);
  return m !== undefined && (!names || names.includes(m));
}

/** Is `call` a call of nwc's `orchestration` export? */
export function isOrchestrationCall(checker: ts.TypeChecker, call: ts.CallExpression): boolean {
  return isNwcSymbol(checker, checker.getSymbolAtLocation(call.expression), "orchestration");
}
