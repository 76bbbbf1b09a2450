/**
 * NWC2001: a local of an orchestration (or ctx helper, or a closure inside
 * one) that is live across an `await` is saved in the frame, so its type must
 * be serializable by runtime/codec.ts: no functions, symbols, promises, or
 * instances of classes without a codec. Date, Map, Set, BigInt, typed arrays,
 * Error, RegExp and Node's Buffer are fine, as are nwc's task handles, CriticalSection, Saga
 * and the contexts, and classes passed to `registerClass({ ctor })` anywhere in
 * the program. nwc's activity, orchestration and entity definitions are not:
 * they hold functions (the codec rejects them at run time). Object types with
 * getters, setters or symbol-keyed properties, and array literals with holes,
 * are reported too: the codec refuses them rather than change them.
 *
 * "Live across" is decided from source positions: declared before the await
 * and referenced after it, or referenced anywhere in a loop around the await
 * when declared outside that loop. `any` and `unknown` are not reported: the
 * codec checks those at run time with a message naming the path.
 */
import ts from "typescript";
import { compiledAsyncKind, functionOf, isNwcDeclaration, isNwcSymbol, isUserFile, resolveAlias } from "../discover.ts";
import { defineRule, type RuleContext } from "../rule.ts";
import { isDurable, isDurableCollection } from "./non-durable-await.ts";

const NWC_SAFE_TYPES = new Set(["Task", "CriticalSection", "Saga", "OrchestrationContext", "TransactionContext", "EntityId"]);
const NWC_DEFINITIONS = new Set(["Activity", "Orchestration", "Entity"]);
const BUILTIN_SAFE = new Set(["Date", "RegExp", "ArrayBuffer", "Buffer", "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array", "DataView"]);
const BUILTIN_CONTAINERS = new Set(["Array", "ReadonlyArray", "Map", "ReadonlyMap", "Set", "ReadonlySet"]);
/** Nesting depth of object types inspected: deeper shapes are rare, and it bounds recursive types. */
const MAX_TYPE_DEPTH = 5;

const registeredCache = new WeakMap<ts.Program, Set<ts.Symbol>>();

/** Classes given a codec by `registerClass({ ctor: X, ... })` anywhere in the user's program. */
function registeredClasses(program: ts.Program): Set<ts.Symbol> {
  const cached = registeredCache.get(program);
  if (cached) return cached;
  const checker = program.getTypeChecker();
  const out = new Set<ts.Symbol>();
  for (const sf of program.getSourceFiles()) {
    if (!isUserFile(program, sf) || !sf.text.includes("registerClass")) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && isNwcSymbol(checker, checker.getSymbolAtLocation(node.expression), "registerClass")) {
        const arg = node.arguments[0];
        if (arg && ts.isObjectLiteralExpression(arg)) {
          for (const p of arg.properties) {
            if (p.name && ts.isIdentifier(p.name) && p.name.text === "ctor") {
              const value = ts.isPropertyAssignment(p) ? p.initializer : ts.isShorthandPropertyAssignment(p) ? p.name : undefined;
              const s = value && resolveAlias(checker, checker.getSymbolAtLocation(value));
              if (s) out.add(s);
            }
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  registeredCache.set(program, out);
  return out;
}

interface Problem { reason: string; advice: string }

const FUNCTION_ADVICE = "recompute the function after the await, or keep only plain data across it; an async closure declared in the orchestration (`async (x) => ...`) may be kept";

/** Types whose value is not known until instantiation: left to the runtime codec, like `any`. */
const DEFERRED = ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Never | ts.TypeFlags.TypeParameter | ts.TypeFlags.Conditional
  | ts.TypeFlags.IndexedAccess | ts.TypeFlags.Substitution | ts.TypeFlags.Index;
const PRIMITIVE = ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BigIntLike | ts.TypeFlags.BooleanLike | ts.TypeFlags.EnumLike
  | ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Void | ts.TypeFlags.NonPrimitive;

/** Is every declaration of this function type a compiled async closure (stored in frames by reference to its step function)? */
function isCompiledClosureType(program: ts.Program, type: ts.Type): boolean {
  const decls = type.getSymbol()?.declarations ?? [];
  return decls.length > 0 && decls.every((d) => compiledAsyncKind(program, d) === "closure");
}

/**
 * Why a value of `type` cannot be encoded by runtime/codec.ts, judged by its
 * data shape: primitives; arrays and tuples by their elements; Map and Set by
 * their type arguments; object types by their properties and index signatures
 * (never by the methods primitives, arrays and objects inherit from their
 * prototypes); unions and intersections by every member.
 */
function unserializable(program: ts.Program, checker: ts.TypeChecker, type: ts.Type, depth: number, seen: Set<ts.Type>, promisesAreTasks = false): Problem | undefined {
  if (depth > MAX_TYPE_DEPTH || seen.has(type)) return undefined;
  seen.add(type);
  if (type.flags & DEFERRED) return undefined;
  if (type.flags & ts.TypeFlags.ESSymbolLike) return { reason: "a symbol", advice: "keep a string instead of the symbol" };
  if (type.flags & PRIMITIVE) return undefined;
  if (type.isUnionOrIntersection()) {
    for (const t of type.types) {
      const p = unserializable(program, checker, t, depth, seen, promisesAreTasks);
      if (p) return p;
    }
    return undefined;
  }
  if (checker.isArrayType(type) || checker.isTupleType(type)) {
    for (const arg of checker.getTypeArguments(type as ts.TypeReference)) {
      const p = unserializable(program, checker, arg, depth + 1, seen, promisesAreTasks);
      if (p) return { reason: `an array holding ${p.reason}`, advice: p.advice };
    }
    return undefined;
  }
  const symbol = type.aliasSymbol ?? type.getSymbol();
  const name = symbol?.name ?? "";
  if (symbol && isNwcDeclaration(symbol)) {
    if (NWC_SAFE_TYPES.has(name)) return undefined;
    // Definitions carry their functions (activity.fn, entity ops), which no frame can hold.
    if (NWC_DEFINITIONS.has(name)) {
      return { reason: `an nwc ${name.toLowerCase()} definition, which holds functions`, advice: `use the module-level ${name.toLowerCase()} constant after the await, or keep its name in the local and look it up in a module-level map` };
    }
    if (name === "EntityProxy" || name === "SignalProxy") {
      return { reason: `an entity proxy (ctx.${name === "EntityProxy" ? "entity" : "signal"}(...)), which the frame cannot keep`, advice: "call ctx.entity(entity, key) (or ctx.signal) again after the await; keep the key in the local" };
    }
  }
  if (type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0) {
    if (isCompiledClosureType(program, type)) return undefined;
    return { reason: "a function", advice: FUNCTION_ADVICE };
  }
  const external = !!symbol?.declarations?.some((d) => !isUserFile(program, d.getSourceFile()));
  if (external) {
    if (BUILTIN_SAFE.has(name) || /Error$/.test(name)) return undefined;
    if (name === "Promise" || name === "PromiseLike") return promisesAreTasks ? undefined : { reason: "a promise", advice: "await it before the next await, or start it as a ctx task" };
    if (name === "Function" || name === "CallableFunction" || name === "NewableFunction") return { reason: "a function", advice: FUNCTION_ADVICE };
    // Generator, IterableIterator, MapIterator...: a position in a computation, not data.
    if (checker.getApparentType(type).getProperty("next") && !BUILTIN_CONTAINERS.has(name)) {
      return { reason: `an iterator (${name})`, advice: "collect its items into an array before the await (`[...it]`), or finish reading it first" };
    }
    if (BUILTIN_CONTAINERS.has(name)) {
      for (const arg of checker.getTypeArguments(type as ts.TypeReference)) {
        const p = unserializable(program, checker, arg, depth + 1, seen, promisesAreTasks);
        if (p) return { reason: `a ${name} holding ${p.reason}`, advice: p.advice };
      }
      return undefined;
    }
    // A class of a library or of the platform (lib.d.ts declares most as an interface
    // merged with a constructor variable): its instances are not plain data.
    if (symbol && symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Variable) && name !== "Object") {
      return { reason: `an instance of ${name}`, advice: "convert it to plain data before the await" };
    }
  } else if (symbol && symbol.flags & ts.SymbolFlags.Class) {
    if (registeredClasses(program).has(symbol)) return undefined;
    return { reason: `an instance of class ${name}, which has no codec`, advice: `use a plain object, or registerClass({ name: "${name}", ctor: ${name}, ... }) a codec for it` };
  }
  // Plain data: an object type's properties (methods declared on an interface or
  // object type are functions carried by the value) and index signatures.
  for (const prop of type.getProperties()) {
    if (isInheritedLibraryMethod(program, prop)) continue;
    // The codec refuses what it would otherwise change: a getter would become a fixed value, a symbol key would be lost.
    // Members a library declares on its own types (Array's [Symbol.unscopables]) are not on the value itself.
    const fromLibrary = (prop.declarations ?? []).length > 0 && prop.declarations!.every((d) => !isUserFile(program, d.getSourceFile()));
    if (!fromLibrary && prop.flags & (ts.SymbolFlags.GetAccessor | ts.SymbolFlags.SetAccessor)) {
      return { reason: `an object with the accessor \`${prop.name}\` (a getter or setter)`, advice: "store the value in an ordinary property, and compute it again after the await" };
    }
    if (!fromLibrary && (prop.escapedName.toString().startsWith("__@") || prop.escapedName.toString().startsWith("__#"))) {
      return { reason: "an object with a symbol-keyed property", advice: "use a string key" };
    }
    const decl = prop.valueDeclaration ?? prop.declarations?.[0];
    const propType = decl ? checker.getTypeOfSymbolAtLocation(prop, decl) : checker.getTypeOfSymbol(prop);
    const p = unserializable(program, checker, propType, depth + 1, seen);
    if (p) return { reason: `an object whose property \`${prop.name}\` is ${p.reason}`, advice: p.advice };
  }
  for (const info of checker.getIndexInfosOfType(type)) {
    const p = unserializable(program, checker, info.type, depth + 1, seen);
    if (p) return { reason: `an object whose values are ${p.reason}`, advice: p.advice };
  }
  return undefined;
}

/**
 * A method a library type declares (`interface Row extends Array<string>` inherits
 * `toString`, `push`, ...): it lives on the prototype, not on the value.
 */
function isInheritedLibraryMethod(program: ts.Program, prop: ts.Symbol): boolean {
  const decls = prop.declarations ?? [];
  return decls.length > 0 && decls.every((d) => (ts.isMethodSignature(d) || ts.isMethodDeclaration(d)) && !isUserFile(program, d.getSourceFile()));
}

/**
 * How the compiled code holds a `const`'s value: "task" for `Promise.all(tasks)`,
 * `(async () => ...)()` and other durable expressions (a task handle), "tasks" for
 * `xs.map(async (x) => ...)` (an array whose promises are task handles), "closure"
 * for `async (x) => ...` declared here (a closure the frame stores by reference).
 */
function compiledForm(context: RuleContext, declaration: ts.Node): "task" | "tasks" | "closure" | undefined {
  if (!ts.isVariableDeclaration(declaration) || !ts.isIdentifier(declaration.name) || !declaration.initializer) return undefined;
  if (!(ts.getCombinedNodeFlags(declaration) & ts.NodeFlags.Const)) return undefined;
  const init = declaration.initializer;
  const fn = functionOf(context.checker, init);
  if (fn && fn === skipOuterExpressions(init) && compiledAsyncKind(context.program, fn) === "closure") return "closure";
  if (isDurable(context, init)) return "task";
  return isDurableCollection(context, init, 0) ? "tasks" : undefined;
}

/** An array literal with a hole (`[1, , 3]`): the type says `undefined`, the codec refuses the hole. */
function holeIn(declaration: ts.Node): Problem | undefined {
  const init = ts.isVariableDeclaration(declaration) && declaration.initializer ? skipOuterExpressions(declaration.initializer) : undefined;
  if (init && ts.isArrayLiteralExpression(init) && init.elements.some(ts.isOmittedExpression)) {
    return { reason: "an array with a hole (`[a, , b]`)", advice: "write `undefined` where the hole is" };
  }
  return undefined;
}

function skipOuterExpressions(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  return e;
}

function ownerFunction(node: ts.Node): ts.Node | undefined {
  for (let n = node.parent; n; n = n.parent) if (ts.isFunctionLike(n)) return n;
  return undefined;
}

function isLoop(n: ts.Node): n is ts.IterationStatement {
  return ts.isForStatement(n) || ts.isForOfStatement(n) || ts.isForInStatement(n) || ts.isWhileStatement(n) || ts.isDoStatement(n);
}

export default defineRule({
  name: "serializable-locals",
  code: "NWC2001",
  description: "Require locals live across an await in an orchestration to be serializable.",
  messages: {
    local: {
      message: "`{{name}}` is {{reason}} and is live across the `await` at line {{line}}, so it cannot be saved in the frame{{via}}",
      fix: "{{advice}}",
    },
  },
  create: () => ({}),
  checkFunction(context, fn) {
    const { program, checker } = context;
    if (context.reach.via.length > 0 || !fn.body) return;
    if (!ts.getCombinedModifierFlags(fn as ts.Declaration) || !(ts.getCombinedModifierFlags(fn as ts.Declaration) & ts.ModifierFlags.Async)) return;
    const awaits: ts.Node[] = [];
    const locals: ts.Identifier[] = [];
    const refs = new Map<ts.Symbol, ts.Identifier[]>();
    const collectNames = (name: ts.BindingName): void => {
      if (ts.isIdentifier(name)) locals.push(name);
      else for (const el of name.elements) if (!ts.isOmittedExpression(el)) collectNames(el.name);
    };
    for (const p of fn.parameters) collectNames(p.name);
    const visit = (node: ts.Node): void => {
      if ((ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier)) && ownerFunction(node) === fn) awaits.push(node);
      if ((ts.isVariableDeclaration(node) || ts.isCatchClause(node)) && ownerFunction(node) === fn) {
        const name = ts.isCatchClause(node) ? node.variableDeclaration?.name : node.name;
        if (name && !(ts.isVariableDeclaration(node) && ts.isCatchClause(node.parent))) collectNames(name);
      }
      if (ts.isIdentifier(node)) {
        const s = checker.getSymbolAtLocation(node);
        if (s) { const list = refs.get(s) ?? []; list.push(node); refs.set(s, list); }
      }
      ts.forEachChild(node, visit);
    };
    visit(fn.body);
    if (awaits.length === 0) return;
    const sf = fn.getSourceFile();
    for (const local of locals) {
      const symbol = checker.getSymbolAtLocation(local);
      if (!symbol) continue;
      const uses = (refs.get(symbol) ?? []).filter((r) => r !== local);
      // The declaration an identifier belongs to: an await in its own initializer runs before it holds anything.
      const declaration = ts.findAncestor(local, (n) => ts.isVariableDeclaration(n) || ts.isParameter(n) || ts.isCatchClause(n)) ?? local;
      const across = awaits.find((a) => {
        if (local.getStart() > a.getStart()) return false;
        if (a.getStart() >= declaration.getStart() && a.getEnd() <= declaration.getEnd()) return false;
        if (uses.some((u) => u.getStart() >= a.getEnd())) return true;
        for (let n: ts.Node | undefined = a.parent; n && n !== fn; n = n.parent) {
          if (isLoop(n) && !(local.getStart() >= n.getStart() && local.getEnd() <= n.getEnd()) && uses.some((u) => u.getStart() >= n.getStart() && u.getEnd() <= n.getEnd())) return true;
        }
        return false;
      });
      if (!across) continue;
      const form = compiledForm(context, declaration);
      if (form === "task" || form === "closure") continue;
      const problem = holeIn(declaration) ?? unserializable(program, checker, checker.getTypeOfSymbolAtLocation(symbol, local), 0, new Set(), form === "tasks");
      if (!problem) continue;
      context.report({
        node: local, messageId: "local",
        data: { name: local.text, reason: problem.reason, advice: problem.advice, line: String(sf.getLineAndCharacterOfPosition(across.getStart()).line + 1) },
      });
    }
  },
});
