/**
 * NWC1011: writes to module-level mutable state from orchestration code:
 * assignments, compound assignments, `++`/`--`, `delete`, destructuring
 * assignments (`[a, b] = ...`, `({ x } = ...)`), `for (x of ...)` targets,
 * mutating methods of built-in collections (push, set, add, splice, sort...,
 * also as `xs["push"](...)` or `Array.prototype.push.call(xs, ...)`), and
 * `Object.assign`/`Object.defineProperty`/`Reflect.set`... on module-level
 * variables, their properties, static fields of module-level classes (`this.n`
 * in a static method included), namespace-imported bindings, and globals
 * (`globalThis.x = 1`). Such state is shared by all instances on a worker and
 * lost when an instance resumes elsewhere.
 *
 * Local variables of the orchestration (and of the functions it calls) are
 * fine: they live in the frame. A local `const` bound to module state
 * (`const m = registry.items`) is followed, since it is the same object.
 */
import ts from "typescript";
import { isAssignmentOperator, writtenLeaves } from "../assignment.ts";
import { isUserFile, resolveAlias } from "../discover.ts";
import { calleeOf, resolveTarget, strip } from "../resolve.ts";
import { defineRule } from "../rule.ts";

/** Methods that change their receiver, by the built-in interface that declares them (lib.es*.d.ts names). */
const MUTATING_METHODS: Record<string, ReadonlySet<string>> = {
  Array: new Set(["push", "pop", "shift", "unshift", "splice", "sort", "reverse", "fill", "copyWithin"]),
  Map: new Set(["set", "delete", "clear"]),
  WeakMap: new Set(["set", "delete"]),
  Set: new Set(["add", "delete", "clear"]),
  WeakSet: new Set(["add", "delete"]),
  Date: new Set(["setTime", "setFullYear", "setMonth", "setDate", "setHours", "setMinutes", "setSeconds", "setMilliseconds",
    "setUTCFullYear", "setUTCMonth", "setUTCDate", "setUTCHours", "setUTCMinutes", "setUTCSeconds", "setUTCMilliseconds"]),
  TypedArray: new Set(["set", "fill", "sort", "reverse", "copyWithin"]),
};

/** Built-ins that write to their first argument. */
const WRITES_FIRST_ARGUMENT = new Set([
  "ObjectConstructor.assign", "ObjectConstructor.defineProperty", "ObjectConstructor.defineProperties", "ObjectConstructor.setPrototypeOf",
  "Reflect.set", "Reflect.defineProperty", "Reflect.deleteProperty", "Reflect.setPrototypeOf",
]);

/** How many `const m = other` hops a write is followed back. */
const MAX_ALIAS_DEPTH = 8;

function mutatingMethod(checker: ts.TypeChecker, program: ts.Program, callee: ts.Expression): ts.Expression | undefined {
  if (!ts.isPropertyAccessExpression(callee) && !ts.isElementAccessExpression(callee)) return undefined;
  // Only built-in mutators count: a user method named `add` is judged by following the call.
  const method = checker.getSymbolAtLocation(ts.isPropertyAccessExpression(callee) ? callee.name : callee.argumentExpression);
  const decl = method?.declarations?.[0];
  if (!method || !decl || isUserFile(program, decl.getSourceFile())) return undefined;
  const owner = checker.getFullyQualifiedName(method).split(".").slice(-2, -1)[0] ?? "";
  const kind = /^(?:Int|Uint|Float|BigInt|BigUint)\d+(?:Clamped)?Array$/.test(owner) ? "TypedArray" : owner;
  return MUTATING_METHODS[kind]?.has(method.name) ? callee.expression : undefined;
}

function isModuleScoped(node: ts.Node): boolean {
  return ts.isSourceFile(node) || ts.isModuleBlock(node);
}

function isStaticMember(decl: ts.Declaration): boolean {
  return (ts.isPropertyDeclaration(decl) || ts.isGetAccessor(decl) || ts.isSetAccessor(decl))
    && (ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Static) !== 0 && ts.isClassDeclaration(decl.parent) && isModuleScoped(decl.parent.parent);
}

/** The expressions of an access chain from its root outwards: `a.b[c].d` -> a, a.b, a.b[c], a.b[c].d. */
function chainOf(e: ts.Expression): ts.Expression[] {
  const chain: ts.Expression[] = [];
  for (let x = strip(e); ; x = strip(x.expression)) {
    chain.unshift(x);
    if (!ts.isPropertyAccessExpression(x) && !ts.isElementAccessExpression(x)) break;
  }
  return chain;
}

interface Context { program: ts.Program; checker: ts.TypeChecker }

/** The module-level state written when `target` is written, as it is spelled, or undefined. */
function moduleStateOf(c: Context, target: ts.Expression, depth = 0): string | undefined {
  const { program, checker } = c;
  const chain = chainOf(target);
  for (const [i, x] of chain.entries()) {
    // `this` names the class in a static member and an instance otherwise: its members decide (static fields).
    if (x.kind === ts.SyntaxKind.ThisKeyword) continue;
    const nameNode = ts.isPropertyAccessExpression(x) ? x.name : ts.isElementAccessExpression(x) ? x.argumentExpression : x;
    // `({ x } = ...)`: the shorthand names the variable written, not a property.
    const shorthand = ts.isShorthandPropertyAssignment(x.parent) && x.parent.name === x;
    const symbol = resolveAlias(checker, shorthand ? checker.getShorthandAssignmentValueSymbol(x.parent) : checker.getSymbolAtLocation(nameNode));
    if (i === 0 && symbol && symbol === checker.resolveName("globalThis", undefined, ts.SymbolFlags.Value, false)) return chain.length > 1 ? "globalThis" : undefined;
    const decl = symbol?.valueDeclaration;
    if (!symbol || !decl) return undefined;
    const userDecl = isUserFile(program, decl.getSourceFile());
    if (ts.isVariableDeclaration(decl)) {
      const statement = decl.parent.parent;
      const moduleLevel = ts.isVariableStatement(statement) && isModuleScoped(statement.parent);
      if (moduleLevel && userDecl) return x.getText();
      // A global of lib or @types (`Date.prototype.x = ...`, `document.title = ...`): state of the whole worker.
      if (!userDecl && !ts.isExternalModule(decl.getSourceFile()) && !ts.findAncestor(decl, ts.isModuleDeclaration)) return chain.length > 1 ? x.getText() : undefined;
      // `const m = registry.items; m.push(x)`: the same object under a local name.
      if (i === 0 && userDecl && decl.initializer && depth < MAX_ALIAS_DEPTH && ts.isVariableDeclarationList(decl.parent) && decl.parent.flags & ts.NodeFlags.Const) {
        const init = strip(decl.initializer);
        if (ts.isIdentifier(init) || ts.isPropertyAccessExpression(init) || ts.isElementAccessExpression(init)) {
          const inner = moduleStateOf(c, init, depth + 1);
          if (inner) return inner;
        }
      }
      if (i === 0) return undefined;
    }
    if (userDecl && ts.isClassDeclaration(decl) && isModuleScoped(decl.parent)) return x.getText();
    if (userDecl && isStaticMember(decl)) return x.getText();
    // A namespace import (`S.list`) names the module: look at its member next.
    if (!(symbol.flags & ts.SymbolFlags.ValueModule) && i === 0 && !ts.isParameter(decl)) return undefined;
  }
  return undefined;
}

export default defineRule({
  name: "no-module-state",
  code: "NWC1011",
  description: "Disallow writes to module-level mutable state in orchestration code.",
  messages: {
    write: { message: "{{name}} writes module-level state `{{target}}`, which is shared by all instances on a worker and not saved in the frame{{via}}", fix: "keep the state in a local variable of the orchestration, or in an entity" },
  },
  create(context) {
    const check = (node: ts.Node, target: ts.Expression, what: string): void => {
      const name = moduleStateOf(context, target);
      if (name) context.report({ node, messageId: "write", data: { name: what, target: name } });
    };
    const checkLeaves = (target: ts.Expression, whole: ts.Node, what: string): void => {
      const leaves = writtenLeaves(target);
      // A plain target is reported at the whole write; each leaf of a pattern at itself.
      if (leaves.length === 1 && leaves[0] === target) check(whole, target, what);
      else for (const leaf of leaves) check(leaf, leaf, "destructuring assignment");
    };
    return {
      [ts.SyntaxKind.BinaryExpression]: (n) => {
        const node = n as ts.BinaryExpression;
        if (isAssignmentOperator(node.operatorToken.kind)) checkLeaves(node.left, node, "assignment");
      },
      [ts.SyntaxKind.ForOfStatement]: (n) => {
        const node = n as ts.ForOfStatement;
        if (!ts.isVariableDeclarationList(node.initializer)) checkLeaves(node.initializer, node.initializer, "`for...of`");
      },
      [ts.SyntaxKind.ForInStatement]: (n) => {
        const node = n as ts.ForInStatement;
        if (!ts.isVariableDeclarationList(node.initializer)) checkLeaves(node.initializer, node.initializer, "`for...in`");
      },
      [ts.SyntaxKind.PrefixUnaryExpression]: (n) => {
        const node = n as ts.PrefixUnaryExpression;
        if (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken) check(node, node.operand, "`" + ts.tokenToString(node.operator) + "`");
      },
      [ts.SyntaxKind.PostfixUnaryExpression]: (n) => {
        const node = n as ts.PostfixUnaryExpression;
        check(node, node.operand, "`" + ts.tokenToString(node.operator) + "`");
      },
      [ts.SyntaxKind.DeleteExpression]: (n) => check(n, (n as ts.DeleteExpression).expression, "`delete`"),
      [ts.SyntaxKind.CallExpression]: (n) => {
        const node = n as ts.CallExpression;
        const callee = strip(node.expression);
        const receiver = mutatingMethod(context.checker, context.program, callee);
        if (receiver) { check(node, receiver, "`." + (ts.isPropertyAccessExpression(callee) ? callee.name.text : callee.getText()) + "()`"); return; }
        // `Array.prototype.push.call(xs, 1)`: the receiver is the first argument.
        const invoked = calleeOf(context.checker, callee);
        if (invoked !== callee && mutatingMethod(context.checker, context.program, invoked) && node.arguments[0]) {
          check(node, node.arguments[0], "`" + invoked.getText().replace(/\s+/g, "") + "`");
          return;
        }
        const target = resolveTarget(context.program, callee);
        if (target && target.module === undefined && WRITES_FIRST_ARGUMENT.has(target.path) && node.arguments[0]) {
          check(node, node.arguments[0], "`" + callee.getText().replace(/\s+/g, "") + "()`");
        }
      },
    };
  },
});
