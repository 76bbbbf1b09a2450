/**
 * Finds what the rules check: orchestration bodies (the function passed to
 * nwc's `orchestration(name, fn)`) and ctx helpers (functions whose first
 * parameter is an `OrchestrationContext`), recognised by the type checker's
 * symbols, never by spelling, so a renamed import still counts and a local
 * function that happens to be called `orchestration` does not.
 */
import ts from "typescript";
import { fileUrlPath, isBuilt } from "../runtime/package-layout.ts";

export interface Root {
  /** The orchestration's registered name, or the helper's function name. */
  name: string;
  kind: "orchestration" | "helper";
  fn: ts.FunctionLikeDeclaration;
}

/** Files that declare nwc's author API: the source checkout or the built package. */
const API_FILE = /(?:^|\/)runtime\/(?:api|codec)\.(?:d\.)?ts$|(?:^|\/)node_modules\/nwc\/.*\.d\.ts$/;

export function isNwcDeclaration(symbol: ts.Symbol | undefined): boolean {
  return !!symbol?.declarations?.some((d) => API_FILE.test(d.getSourceFile().fileName.replace(/\\/g, "/")));
}

export function resolveAlias(checker: ts.TypeChecker, symbol: ts.Symbol | undefined): ts.Symbol | undefined {
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) return checker.getAliasedSymbol(symbol);
  return symbol;
}

/** Is `symbol` nwc's `name` (e.g. the `orchestration` function, the `OrchestrationContext` type)? */
export function isNwcSymbol(checker: ts.TypeChecker, symbol: ts.Symbol | undefined, name: string): boolean {
  const s = resolveAlias(checker, symbol);
  return !!s && s.name === name && isNwcDeclaration(s);
}

/** Is `type` nwc's type `name` (Task, CriticalSection, Saga, OrchestrationContext...)? */
export function isNwcType(type: ts.Type, name: string): boolean {
  const s = type.aliasSymbol ?? type.getSymbol();
  return !!s && s.name === name && isNwcDeclaration(s);
}

export function isUserFile(program: ts.Program, sf: ts.SourceFile): boolean {
  return !sf.isDeclarationFile && !program.isSourceFileFromExternalLibrary(sf) && !/[\\/]node_modules[\\/]/.test(sf.fileName) && !isOwnSource(sf.fileName);
}

/**
 * nwc's own TypeScript sources, when nwc runs from them (a checkout: its
 * tests and examples), where "nwc" resolves to those sources through the
 * package's "source" export condition. They are the package, not the user's
 * code, as they are once installed (declarations under node_modules): so the
 * rules judge a program the same way in both, and do not search the
 * runtime's sources for orchestrations in every program (which took two
 * thirds of the lint tests' time). None when nwc runs built or in a browser.
 */
const OWN_SOURCE_DIRS: readonly string[] = (() => {
  let root: string | undefined;
  try {
    root = isBuilt(import.meta.url) ? undefined : fileUrlPath(new URL("../", import.meta.url));
  } catch {
    root = undefined; // a bundle whose URL is no base for a relative one (blob:, data:)
  }
  return root === undefined ? [] : ["runtime/", "compiler/", "lint-rules/", "cli/", "deploy/"].map((dir) => root + dir);
})();

function isOwnSource(fileName: string): boolean {
  if (OWN_SOURCE_DIRS.length === 0) return false;
  const path = fileName.replace(/\\/g, "/");
  return OWN_SOURCE_DIRS.some((dir) => path.startsWith(dir));
}

/** The function a call argument denotes: an inline function, or an identifier bound to one. */
export function functionOf(checker: ts.TypeChecker, expr: ts.Expression): ts.FunctionLikeDeclaration | undefined {
  let e = expr;
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return e;
  if (ts.isIdentifier(e)) {
    const decl = resolveAlias(checker, checker.getSymbolAtLocation(e))?.valueDeclaration;
    if (decl && ts.isFunctionDeclaration(decl) && decl.body) return decl;
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer) return functionOf(checker, decl.initializer);
  }
  return undefined;
}

export function hasCtxParameter(checker: ts.TypeChecker, fn: ts.SignatureDeclaration): boolean {
  const first = fn.parameters[0];
  if (!first) return false;
  return isNwcType(checker.getTypeAtLocation(first), "OrchestrationContext");
}

function functionName(fn: ts.FunctionLikeDeclaration): string {
  if (fn.name && (ts.isIdentifier(fn.name) || ts.isPrivateIdentifier(fn.name))) return fn.name.text;
  const p = fn.parent;
  if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name)) return p.name.text;
  return "<anonymous>";
}

export function describeFunction(fn: ts.Node): string {
  if (ts.isFunctionLike(fn)) {
    const name = functionName(fn as ts.FunctionLikeDeclaration);
    const cls = ts.isMethodDeclaration(fn) || ts.isConstructorDeclaration(fn) ? fn.parent : undefined;
    if (cls && ts.isClassLike(cls) && cls.name) return ts.isConstructorDeclaration(fn) ? `new ${cls.name.text}` : `${cls.name.text}.${name}`;
    return name;
  }
  return "<code>";
}

/** Orchestration bodies and ctx helpers of the user's files, in program order. */
export function discoverRoots(program: ts.Program): Root[] {
  const checker = program.getTypeChecker();
  const roots: Root[] = [];
  const seen = new Set<ts.Node>();
  for (const sf of program.getSourceFiles()) {
    if (!isUserFile(program, sf)) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && node.arguments.length >= 2 && isNwcSymbol(checker, checker.getSymbolAtLocation(node.expression), "orchestration")) {
        const fn = functionOf(checker, node.arguments[1]!);
        const nameArg = node.arguments[0]!;
        if (fn && !seen.has(fn)) {
          seen.add(fn);
          roots.push({ name: ts.isStringLiteralLike(nameArg) ? nameArg.text : nameArg.getText(), kind: "orchestration", fn });
        }
      } else if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body && !seen.has(node) && hasCtxParameter(checker, node)) {
        // A function taking the context is a helper compiled like an orchestration;
        // an inline orchestration body also matches, but it was found above first.
        const parentCall = node.parent;
        const isOrchBody = ts.isCallExpression(parentCall) && isNwcSymbol(checker, checker.getSymbolAtLocation(parentCall.expression), "orchestration");
        if (!isOrchBody) {
          seen.add(node);
          roots.push({ name: describeFunction(node), kind: "helper", fn: node as ts.FunctionLikeDeclaration });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return roots;
}

export function isAsyncFunction(fn: ts.Node): boolean {
  return (ts.getCombinedModifierFlags(fn as ts.Declaration) & ts.ModifierFlags.Async) !== 0;
}

const compiledCache = new WeakMap<ts.Program, Map<ts.Node, Root["kind"]>>();

/** The functions the compiler translates into machines: orchestration bodies and async ctx helpers. */
export function compiledRoots(program: ts.Program): Map<ts.Node, Root["kind"]> {
  let roots = compiledCache.get(program);
  if (!roots) {
    roots = new Map(discoverRoots(program).filter((r) => r.kind === "orchestration" || isAsyncFunction(r.fn)).map((r) => [r.fn, r.kind]));
    compiledCache.set(program, roots);
  }
  return roots;
}

/**
 * What calling `fn` from compiled code does: "helper" (an async ctx helper) and
 * "closure" (an async function nested in a compiled function) start a durable
 * branch, so the call is a task and a closure value can live in a frame; any
 * other function (undefined) runs as ordinary code, and an async one returns an
 * ordinary promise.
 */
export function compiledAsyncKind(program: ts.Program, fn: ts.Node): "helper" | "closure" | undefined {
  if (!ts.isFunctionLike(fn) || !isAsyncFunction(fn)) return undefined;
  const roots = compiledRoots(program);
  const kind = roots.get(fn);
  if (kind !== undefined) return kind === "helper" ? "helper" : undefined;
  for (let n = fn.parent; n; n = n.parent) if (ts.isFunctionLike(n) && roots.has(n)) return "closure";
  return undefined;
}
