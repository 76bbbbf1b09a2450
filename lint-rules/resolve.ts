/**
 * Resolves an expression to the library or built-in it finally denotes,
 * through the type checker: aliases (`const now = Date.now`), destructuring
 * (`const { random } = Math`), re-exports, namespace and default imports,
 * `globalThis.X`, literal element access (`Math["random"]`), comma
 * expressions (`(0, Date.now)`), `let`/`var` bindings never written again,
 * and object properties initialised from one (`const clock = { now: Date.now }`).
 * `calleeOf` sees through `f.call(...)`, `f.apply(...)` and `f.bind(...)(...)`.
 *
 * Invariant: only symbols declared outside the user's program (lib files,
 * @types, node_modules) resolve to a `Target`; a user declaration that merely
 * shares a name (a local `Date` class) never does.
 */
import ts from "typescript";
import { isWriteTarget } from "./assignment.ts";
import { isUserFile, resolveAlias } from "./discover.ts";

export interface Target {
  /** Module for package members without `node:` (e.g. "fs", "node-fetch"), or undefined for globals. */
  module?: string;
  /** Dotted path inside the module or global scope, e.g. "DateConstructor.now", "readFileSync". */
  path: string;
}

/** How deep to follow aliases of aliases: deeper chains do not occur in real code, and it bounds cycles. */
const MAX_ALIAS_DEPTH = 8;

/** Drops parentheses, type assertions and the left of a comma: `(0, Date.now)` is `Date.now`. */
export function strip(e: ts.Expression): ts.Expression {
  while (true) {
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
    else if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.CommaToken) e = e.right;
    else return e;
  }
}

/** Function.prototype's `call`, `apply` and `bind`, as lib.es5 declares them. */
const FUNCTION_METHODS = /^(?:Function|CallableFunction|NewableFunction)\.(call|apply|bind)$/;

function functionMethod(checker: ts.TypeChecker, e: ts.Expression): { fn: ts.Expression; method: string } | undefined {
  if (!ts.isPropertyAccessExpression(e) && !ts.isElementAccessExpression(e)) return undefined;
  const symbol = symbolOf(checker, e);
  const decl = symbol?.declarations?.[0];
  if (!symbol || !decl || !decl.getSourceFile().isDeclarationFile) return undefined;
  const m = FUNCTION_METHODS.exec(checker.getFullyQualifiedName(symbol));
  return m ? { fn: e.expression, method: m[1]! } : undefined;
}

/**
 * The function a call really invokes: `f` for `f(...)`, `f.call(t, ...)`,
 * `f.apply(t, args)` and `f.bind(t)(...)`, through any nesting of those.
 */
export function calleeOf(checker: ts.TypeChecker, callee: ts.Expression, depth = 0): ts.Expression {
  const e = strip(callee);
  if (depth > MAX_ALIAS_DEPTH) return e;
  const direct = functionMethod(checker, e);
  if (direct && direct.method !== "bind") return calleeOf(checker, direct.fn, depth + 1);
  if (ts.isCallExpression(e)) {
    const bound = functionMethod(checker, strip(e.expression));
    if (bound?.method === "bind") return calleeOf(checker, bound.fn, depth + 1);
  }
  return e;
}

function nameNode(e: ts.Expression): ts.Node {
  if (ts.isPropertyAccessExpression(e)) return e.name;
  if (ts.isElementAccessExpression(e)) return e.argumentExpression;
  return e;
}

function targetOfExternal(checker: ts.TypeChecker, symbol: ts.Symbol): Target {
  const fqn = checker.getFullyQualifiedName(symbol);
  const m = /^"([^"]+)"(?:\.(.*))?$/.exec(fqn);
  if (m) return { module: moduleName(m[1]!), path: m[2] ?? "" };
  // A local of a package's module file (e.g. `declare const axios` exported as default) is not
  // qualified by the checker: qualify it by the file's package.
  const decl = symbol.valueDeclaration ?? symbol.declarations?.[0];
  const sf = decl?.getSourceFile();
  if (decl && sf && ts.isExternalModule(sf) && /[\\/]node_modules[\\/]/.test(sf.fileName) && !ts.findAncestor(decl, ts.isModuleDeclaration)) {
    return { module: moduleName(sf.fileName), path: fqn };
  }
  return { path: fqn.replace(/^global\./, "") };
}

/**
 * A module as the effect list names it: `node:fs` -> "fs"; a file of an installed
 * package (the checker names those by path) -> its package name and subpath,
 * e.g. ".../node_modules/@scope/pkg/dist/index" -> "@scope/pkg/dist".
 */
function moduleName(spec: string): string {
  const inPackages = spec.replace(/\\/g, "/").split("/node_modules/").at(-1)!;
  if (inPackages === spec && !spec.includes("/node_modules/")) return spec.replace(/^node:/, "");
  const parts = inPackages.replace(/\.(d\.)?[cm]?[jt]s$/, "").split("/");
  const pkgLength = parts[0]!.startsWith("@") ? 2 : 1;
  const pkg = parts.slice(0, pkgLength).join("/").replace(/^@types\//, "");
  const rest = parts.slice(pkgLength).filter((p) => p !== "index");
  return rest.length && !["dist", "lib", "build", "cjs", "esm"].includes(rest[0]!) ? `${pkg}/${rest.join("/")}` : pkg;
}

/** The symbol an expression refers to, following aliases, or undefined. */
export function symbolOf(checker: ts.TypeChecker, expr: ts.Expression): ts.Symbol | undefined {
  return resolveAlias(checker, checker.getSymbolAtLocation(nameNode(strip(expr))));
}

export function resolveTarget(program: ts.Program, expr: ts.Expression, depth = 0): Target | undefined {
  if (depth > MAX_ALIAS_DEPTH) return undefined;
  const checker = program.getTypeChecker();
  const e = strip(expr);
  const symbol = symbolOf(checker, e);
  if (!symbol) return undefined;
  const decl = symbol.valueDeclaration ?? symbol.declarations?.[0];
  if (!decl) return undefined;
  const sf = decl.getSourceFile();
  if (!isUserFile(program, sf)) {
    const target = targetOfExternal(checker, symbol);
    // Members of a package's exported object (`axios.get`) are named by their type, not
    // their module: name them through the receiver instead ("axios", "default.get").
    if (target.module === undefined && ts.isExternalModule(sf) && (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e))) {
      const receiver = resolveTarget(program, e.expression, depth + 1);
      if (receiver?.module !== undefined) return { module: receiver.module, path: receiver.path ? `${receiver.path}.${symbol.name}` : symbol.name };
    }
    return target;
  }
  // A user declaration: follow it only when it is bound once to another expression.
  if (ts.isVariableDeclaration(decl) && decl.initializer && isSingleAssignment(checker, decl)) return resolveTarget(program, decl.initializer, depth + 1);
  if (ts.isPropertyAssignment(decl)) return resolveTarget(program, decl.initializer, depth + 1);
  if (ts.isShorthandPropertyAssignment(decl)) return resolveTarget(program, decl.name, depth + 1);
  if (ts.isBindingElement(decl) && ts.isObjectBindingPattern(decl.parent)) {
    const holder = decl.parent.parent;
    if (ts.isVariableDeclaration(holder) && holder.initializer && isSingleAssignment(checker, holder)) {
      const key = decl.propertyName ?? decl.name;
      if (!ts.isIdentifier(key) && !ts.isStringLiteral(key)) return undefined;
      const prop = checker.getTypeAtLocation(holder.initializer).getProperty(key.text);
      if (!prop) return undefined;
      const pdecl = prop.valueDeclaration ?? prop.declarations?.[0];
      if (pdecl && !isUserFile(program, pdecl.getSourceFile())) return targetOfExternal(checker, prop);
      if (pdecl && ts.isPropertyAssignment(pdecl)) return resolveTarget(program, pdecl.initializer, depth + 1);
    }
  }
  return undefined;
}

function isConst(decl: ts.VariableDeclaration): boolean {
  return ts.isVariableDeclarationList(decl.parent) && (decl.parent.flags & ts.NodeFlags.Const) !== 0;
}

const singleAssignment = new WeakMap<ts.Node, boolean>();

/**
 * Does the variable (or binding pattern) `decl` keep its initializer's value: a `const`,
 * or a `let`/`var` that no statement of its file ever writes (imports are read-only,
 * so no other file can)? Flow-insensitive: one write anywhere and it is not followed.
 */
export function isSingleAssignment(checker: ts.TypeChecker, decl: ts.VariableDeclaration): boolean {
  if (isConst(decl)) return true;
  if (!ts.isVariableDeclarationList(decl.parent) || decl.parent.flags & ts.NodeFlags.Using) return false;
  let known = singleAssignment.get(decl);
  if (known === undefined) {
    const symbols = new Set<ts.Symbol>();
    const collect = (name: ts.BindingName): void => {
      if (ts.isIdentifier(name)) { const s = checker.getSymbolAtLocation(name); if (s) symbols.add(s); }
      else for (const el of name.elements) if (!ts.isOmittedExpression(el)) collect(el.name);
    };
    collect(decl.name);
    let written = false;
    const visit = (n: ts.Node): void => {
      if (written) return;
      if (ts.isIdentifier(n) && isWriteTarget(n)) {
        const s = checker.getSymbolAtLocation(n);
        if (s && symbols.has(s)) { written = true; return; }
      }
      ts.forEachChild(n, visit);
    };
    visit(decl.getSourceFile());
    known = !written;
    singleAssignment.set(decl, known);
  }
  return known;
}

/** The user function a call reaches, when it has a body we can check (`new` is followed through classOf). */
export function userFunctionOf(program: ts.Program, callee: ts.Expression, depth = 0): ts.FunctionLikeDeclaration | undefined {
  if (depth > MAX_ALIAS_DEPTH) return undefined;
  const checker = program.getTypeChecker();
  const symbol = symbolOf(checker, callee);
  const decl = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
  if (!decl || !isUserFile(program, decl.getSourceFile())) return undefined;
  if ((ts.isFunctionDeclaration(decl) || ts.isMethodDeclaration(decl) || ts.isFunctionExpression(decl) || ts.isArrowFunction(decl)) && decl.body) return decl;
  let init: ts.Expression | undefined;
  if ((ts.isVariableDeclaration(decl) || ts.isPropertyDeclaration(decl)) && decl.initializer) init = decl.initializer;
  else if (ts.isPropertyAssignment(decl)) init = decl.initializer;
  if (!init) return undefined;
  const s = strip(init);
  if (ts.isArrowFunction(s) || ts.isFunctionExpression(s)) return s;
  if (ts.isIdentifier(s) || ts.isPropertyAccessExpression(s)) return userFunctionOf(program, s, depth + 1);
  return undefined;
}

/** The class `expr` denotes: a class expression, a class declaration, or a variable bound to a class expression. */
export function classOf(checker: ts.TypeChecker, expr: ts.Expression): ts.ClassLikeDeclaration | undefined {
  const e = strip(expr);
  if (ts.isClassExpression(e)) return e;
  const symbol = symbolOf(checker, e);
  const decl = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
  if (decl && ts.isClassLike(decl)) return decl;
  const init = decl && ts.isVariableDeclaration(decl) && decl.initializer ? strip(decl.initializer) : undefined;
  return init && ts.isClassExpression(init) ? init : undefined;
}

/** The class a class extends, when it is a class of the user's program. */
export function userBaseClass(program: ts.Program, cls: ts.ClassLikeDeclaration): ts.ClassLikeDeclaration | undefined {
  const base = baseExpression(cls);
  const decl = base && classOf(program.getTypeChecker(), base);
  return decl && isUserFile(program, decl.getSourceFile()) ? decl : undefined;
}

/** The expression after `extends`, if any. */
export function baseExpression(cls: ts.ClassLikeDeclaration): ts.Expression | undefined {
  const clause = cls.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword);
  return clause?.types[0]?.expression;
}
