/**
 * Rejects what the lowering cannot translate with exactly the original
 * semantics, as NWC3xxx diagnostics naming the construct and the fix.
 *
 * Invariant: if this returns no diagnostic for a compiled function, every
 * construct in it is one the later lowerings handle; nothing is silently
 * translated into a different program.
 *
 * Example: `async (ctx) => { function* g() {} }` gives NWC3001 "a generator
 * function inside an orchestration", fix "move it out of the orchestration".
 */
import ts from "typescript";
import type { NwcDiagnostic } from "../diagnostics.ts";
import { awaitingPatternOverIterator, isNonArrayPattern } from "./array-patterns.ts";
import { isInlineCallback, isTaskMethodCall } from "./task-then.ts";
import { isWriteTarget, planTdz } from "./tdz.ts";

export function diagnosticAt(node: ts.Node, code: string, message: string, fix: string): NwcDiagnostic {
  const sf = node.getSourceFile();
  const start = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  const end = sf.getLineAndCharacterOfPosition(node.getEnd());
  const text = node.getText(sf);
  return {
    code, file: sf.fileName, line: start.line + 1, column: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1,
    message, expression: text.length > 80 ? text.slice(0, 77) + "..." : text, fix,
  };
}

function isFunctionBoundary(n: ts.Node): n is ts.FunctionLikeDeclaration {
  return ts.isFunctionLike(n) && !ts.isTypeNode(n) && !!(n as ts.FunctionLikeDeclaration).body;
}

function isAsyncFn(n: ts.Node): boolean {
  return ts.isFunctionLike(n) && !!ts.getModifiers(n as any)?.some((m: ts.ModifierLike) => m.kind === ts.SyntaxKind.AsyncKeyword);
}

/** Does `node` contain an await of its own function (not of a nested function)? */
export function containsAwait(node: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isAwaitExpression(n) || (ts.isForOfStatement(n) && n.awaitModifier) || (ts.isVariableDeclarationList(n) && (n.flags & ts.NodeFlags.AwaitUsing) === ts.NodeFlags.AwaitUsing)) {
      found = true;
      return;
    }
    if (isFunctionBoundary(n)) return;
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(node, visit);
  return found;
}

/** Checks one compiled function (an orchestration body or ctx helper) and everything nested in it. */
export function checkUnsupported(fn: ts.FunctionLikeDeclaration, checker: ts.TypeChecker): NwcDiagnostic[] {
  const out: NwcDiagnostic[] = [];
  const report = (node: ts.Node, code: string, message: string, fix: string) => out.push(diagnosticAt(node, code, message, fix));

  for (const p of fn.parameters) {
    if (p.initializer && containsAwaitDeep(p.initializer)) report(p, "NWC3003", "await in a parameter default is not supported in an orchestration", "await the value in the body instead");
  }

  // `compiledDepth`: inside compiled (async) code; `syncDepth`: inside a sync function nested in it.
  const visit = (n: ts.Node, inSync: boolean): void => {
    if (ts.isFunctionLike(n) && n !== fn && isFunctionBoundary(n)) {
      const f = n as ts.FunctionLikeDeclaration;
      if (f.asteriskToken) {
        report(n, "NWC3001", "a generator function inside an orchestration cannot be compiled", "move the generator out of the orchestration, to module level");
        return;
      }
      if (isAsyncFn(f)) {
        if (ts.isFunctionDeclaration(f) && !ts.isBlock(f.parent) && !ts.isSourceFile(f.parent)) {
          report(n, "NWC3009", "an async function declaration outside a block cannot be compiled", "declare it at the start of a block, or as `const name = async (...) => { ... }`");
          return;
        }
        if (!ts.isArrowFunction(f) && !ts.isFunctionExpression(f) && !ts.isFunctionDeclaration(f)) {
          report(n, "NWC3009", "an async method inside an orchestration is not supported", "use an async arrow function");
          return;
        }
        if (inSync) {
          report(n, "NWC3010", "an async function inside a non-async nested function cannot be compiled (its captured locals would not be in the frame)", "make the enclosing function async, or move the async function up");
          return;
        }
        for (const p of f.parameters) {
          if (p.initializer && containsAwaitDeep(p.initializer)) report(p, "NWC3003", "await in a parameter default is not supported in an orchestration", "await the value in the body instead");
        }
        ts.forEachChild(n, (c) => visit(c, false));
        return;
      }
      ts.forEachChild(n, (c) => visit(c, true));
      return;
    }
    if (ts.isClassLike(n)) {
      report(n, "NWC3008", "a class inside an orchestration cannot be compiled", "declare the class at module level");
      return;
    }
    if (n.kind === ts.SyntaxKind.WithStatement) report(n, "NWC3002", "`with` cannot be compiled", "use explicit property access");
    if (n.kind === ts.SyntaxKind.ThisKeyword && !inSync) report(n, "NWC3005", "`this` inside an orchestration cannot be compiled", "pass the value as an argument");
    if (ts.isIdentifier(n) && n.text === "arguments" && !inSync && !isPropertyName(n)) {
      const sym = checker.getSymbolAtLocation(n);
      if (!sym || sym.name === "arguments") report(n, "NWC3006", "`arguments` inside an orchestration cannot be compiled", "use a rest parameter");
    }
    if (ts.isTaggedTemplateExpression(n) && !inSync && containsAwaitDeep(n.template)) {
      report(n, "NWC3016", "a tagged template with an await in a substitution cannot be compiled (its strings array would have to live in the frame)", "await the values into locals first, then apply the tag");
    }
    if (!inSync && isTaskMethodCall(checker, n) && !n.arguments.every(isInlineCallback)) {
      report(n, "NWC3018", `\`.${n.expression.name.text}\` on a durable task with a callback that is not written inline cannot be compiled (the callback would have to wait in the frame)`,
        `write the callback inline, e.g. \`.${n.expression.name.text}((v) => f(v))\`, or await the task and call the function`);
    }
    if (!inSync && ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.AsteriskAsteriskEqualsToken && !ts.isIdentifier(n.left)) {
      report(n, "NWC3019", "`**=` on a property cannot be compiled exactly (the lowering would read the property after evaluating the exponent)", "write `x.p = x.p ** e`, or use a local");
    }
    if (!inSync && ts.isForOfStatement(n) && !n.awaitModifier && containsAwait(n.statement) && isIterator(checker, n.expression)) {
      report(n.expression, "NWC3020", "for...of over an iterator (a generator object, a Map's entries()) or a class instance with its own iterator, with an await in the body: an iterator cannot be saved in the frame, so the compiled loop would have to read it to its end when the loop starts (the iterator's code, a generator's finally, would run before the body instead of between iterations; an endless one would never end)",
        "collect the items into an array before the loop (`[...it]`, or take the first n), which makes the early read visible, or move the await out of the loop");
    }
    if (ts.isObjectLiteralExpression(n) && n.properties.some(ts.isSpreadAssignment)) {
      // The lowering builds such a literal with `__assign`, which copies a getter's value, not the getter,
      // and copies no prototype: an accessor or a `__proto__: v` beside a spread would change silently.
      const odd = n.properties.find((p) => ts.isGetAccessorDeclaration(p) || ts.isSetAccessorDeclaration(p) || isProtoProperty(p));
      if (odd) {
        report(odd, "NWC3022", `${isProtoProperty(odd) ? "`__proto__:`" : "a getter or setter"} in an object literal that also has a spread cannot be compiled exactly (the spread is lowered to Object.assign-style copying, which would ${isProtoProperty(odd) ? "ignore it: the object would keep Object.prototype" : "turn the accessor into a data property"})`,
          isProtoProperty(odd) ? "create the object first (`Object.create(proto)`), then `Object.assign` the spread into it" : "define the accessor afterwards with `Object.defineProperty`, or build the object in a module-level function");
      }
    }
    const awaitingOver = inSync ? undefined : awaitingPatternOverIterator(checker, n);
    if (awaitingOver) {
      report(n, "NWC3020", `array destructuring of a value typed ${awaitingOver} with an await in the pattern: its iterator cannot be saved in the frame, so the compiled code would have to read its items before the await instead of as the pattern reaches them`,
        "destructure first and await after, or collect the items into an array first (`[...value]`)");
    }
    const nonArray = isNonArrayPattern(checker, n);
    if (nonArray) {
      report(n, "NWC3023", `array destructuring of a value typed ${nonArray}, nested in another pattern, in a parameter or in a for...of assignment target, cannot be compiled exactly (the lowering reads it by index: a Set, a Map or an iterator would give undefined)`,
        "destructure it in a statement of its own (`const [a, b] = value;`), or type the value as an array or a tuple");
    }
    if (ts.isForOfStatement(n) && n.awaitModifier) report(n, "NWC3007", "`for await` cannot be compiled: only durable tasks may be awaited", "use for...of and await each task");
    if (ts.isLabeledStatement(n) && ts.isFunctionDeclaration(n.statement)) report(n, "NWC3004", "a labeled function declaration cannot be compiled", "remove the label");
    if (ts.isYieldExpression(n)) report(n, "NWC3001", "yield inside an orchestration cannot be compiled", "use await");
    if (ts.isVariableDeclarationList(n) && (n.flags & ts.NodeFlags.Using) && !inSync) {
      const holder = n.parent;
      if (!ts.isVariableStatement(holder) || !(ts.isBlock(holder.parent) || ts.isSourceFile(holder.parent))) {
        report(n, "NWC3012", "`using` / `await using` is only supported as a statement of a block", "declare it as a statement at the start of a block");
      }
    }
    if (ts.isMetaProperty(n) && n.keywordToken === ts.SyntaxKind.ImportKeyword) report(n, "NWC3015", "import.meta inside an orchestration cannot be compiled", "read it at module level");
    if (n.kind === ts.SyntaxKind.SuperKeyword) report(n, "NWC3015", "super inside an orchestration cannot be compiled", "move the code to a module-level function");
    ts.forEachChild(n, (c) => visit(c, inSync));
  };
  if (fn.body) visit(fn.body, false);
  const tdz = planTdz(fn, checker);
  for (const id of tdz.unsupported) {
    report(id, "NWC3021", `\`${id.text}\` is used by a function that may run before its declaration, and it is not declared by a statement of a block (a switch case, a loop header), where its temporal dead zone cannot be kept`,
      "declare it in a block of its own (`case 1: { let x = ...; }`), or declare it before the function that uses it");
  }
  // Checked writes are `x = v`, `x += v` and `x++` (tdz.ts); a destructuring or for...of target has no place for the check.
  for (const id of tdz.uses) {
    if (isWriteTarget(id) && !isPlainWrite(id)) {
      report(id, "NWC3021", `\`${id.text}\` is assigned by a destructuring or a for...of in a function that may run before its declaration, where its temporal dead zone cannot be kept`,
        "assign it with `=` (`const [v] = value; ${id.text} = v;`), or declare it before the function that uses it");
    }
  }
  return out;
}

/** An iterator or generator object (it has `next`), as opposed to an array, Set, Map or string. */
/**
 * Is `e` typed as something an awaiting loop cannot walk live: an iterator (a
 * generator object, a Map's `entries()`), or an instance of a class with its own
 * iterator. Arrays, typed arrays, Sets, Maps and strings are walked live; an
 * interface such as `Iterable<T>` may hold an array, so the run decides (runtime/engine/iteration.ts).
 */
function isIterator(checker: ts.TypeChecker, e: ts.Expression): boolean {
  const t = checker.getTypeAtLocation(e);
  if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return false;
  return (t.isUnion() ? t.types : [t]).some((x) => !!checker.getApparentType(x).getProperty("next") || isIterableClassInstance(x));
}

function isIterableClassInstance(t: ts.Type): boolean {
  const decls = t.getSymbol()?.declarations ?? [];
  return decls.some(ts.isClassLike) && t.getProperties().some((p) => p.escapedName.toString().startsWith("__@iterator"));
}

/** Can the loop body leave the loop before the iterable is exhausted (break, labeled jumps, return, throw)? */
/** `x = v`, `x op= v`, `++x`, `x--`: the writes tdz.ts checks. */
function isPlainWrite(id: ts.Identifier): boolean {
  const p = id.parent;
  return (ts.isBinaryExpression(p) && p.left === id) || ts.isPrefixUnaryExpression(p) || ts.isPostfixUnaryExpression(p);
}

/** `o.arguments`, `{ arguments: v }`, `{ arguments: a } = o`: a property name, not the binding. */
function isPropertyName(n: ts.Identifier): boolean {
  const p = n.parent;
  if (ts.isPropertyAccessExpression(p) || ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isAccessor(p) || ts.isPropertySignature(p)) return p.name === n;
  return ts.isBindingElement(p) && p.propertyName === n;
}

function containsAwaitDeep(n: ts.Node): boolean {
  let found = false;
  const v = (c: ts.Node): void => {
    if (found) return;
    if (ts.isAwaitExpression(c)) found = true;
    else ts.forEachChild(c, v);
  };
  v(n);
  return found;
}

/** `__proto__: v` (not computed, not shorthand): in a literal it sets the prototype, it makes no property. */
function isProtoProperty(p: ts.ObjectLiteralElementLike): boolean {
  return ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === "__proto__";
}
