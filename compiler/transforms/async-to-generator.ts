/**
 * First lowering: rewrites one compiled async function (orchestration body or
 * ctx helper) into a generator function the ES5 generator lowering
 * (downlevel.ts) can turn into a step function.
 *
 * - `await e`                 -> `(yield [line, e])`  (the line feeds the graph and `position`)
 * - nested `async (x) => b`   -> `__nwcAsync(N, function* (x) { b' })` (a branch when called)
 * - `Promise.all(xs)` (the global Promise, by symbol; also race/any/allSettled/resolve/reject)
 *                             -> `__nwc_rt.all(xs)`
 * - `task.then(f, g)`, `task.catch(g)`, `task.finally(h)` on a durable task
 *                             -> an async closure called at once that awaits the task (task-then.ts)
 * - `for (x of e)` where `e` is not typed as an array -> iteration.ts (a lazy view closed on
 *                                early exit, or a live cursor when the loop awaits)
 *                                (`s.delete(k)` / `s.clear()` in the body of a live loop over `s`
 *                                -> `__nwc_rt.deleted(cursor, s, k)`, so the cursor sees re-added entries)
 * - a `let`/`const` a function may use before its declaration -> tdz.ts (its dead zone kept)
 * - `[...e]`, `f(...e)`       -> `e` wrapped in `__nwc_rt.iter(e)` (materialized into an array,
 *                                since an iterator cannot live in a frame)
 * - `[a, b] = e`              -> `__nwc_rt.take(e, 2)` (the items the pattern reads, then the
 *                                iterator closed, as destructuring does); a pattern with defaults,
 *                                nested patterns or property targets pulls each item as it is read
 *                                (`__nwc_rt.pull`), and a for...of variable's pattern destructures
 *                                the item at the start of the body (array-patterns.ts: the rest)
 * - `await using x = e; rest` -> `const x = e; let err, has = false;
 *                                 try { rest } catch (c) { err = c; has = true; }
 *                                 finally { try { (yield [line, __nwc_rt.dispose(x, true)]); }
 *                                           catch (c) { err = has ? __nwc_rt.suppressed(c, err) : c; has = true; }
 *                                           if (has) throw err; }`
 *   (`using` likewise, without the yield; `await using a = e1, b = e2` as two nested scopes)
 *
 * Before:  async (ctx, xs) => { await using l = await ctx.lock(a); return Promise.all(xs.map(async (x) => await ctx.call(f, x))); }
 * After:   function* (ctx, xs) { const l = (yield [1, ctx.lock(a)]);
 *            let err = void 0, has = false;
 *            try { return __nwc_rt.all(xs.map(__nwcAsync(1, function* (x) { return (yield [1, ctx.call(f, x)]); }))); }
 *            catch (c) { ... } finally { try { (yield [1, __nwc_rt.dispose(l, true)]); } catch (c) { ... } if (has) throw err; } }
 *
 * Invariant: apart from these rewrites the function is printed unchanged, so
 * the generator has the original's evaluation order; unsupported.ts has run
 * first, so every nested async function met here is an arrow or function expression.
 */
import ts from "typescript";
import { isInlineCallback, isTaskMethodCall, taskMethodBody } from "./task-then.ts";
import { countedBlock, countNode } from "./step-counting.ts";
import { isArrayOrTupleType } from "./array-patterns.ts";
import { containsAwait } from "./unsupported.ts";
import { lazyForOf, liveForOf } from "./iteration.ts";
import { isWriteTarget, planTdz, tdzBefore, tdzRead, tdzReset, tdzWrite } from "./tdz.ts";

export interface PreTransformResult {
  /** `__nwcRoot(function* (...) { ... })` as TypeScript source text. */
  text: string;
  /** Names given to nested async closures, by marker index. */
  closures: { index: number; name: string; line: number; node?: ts.Node }[];
  /** Source text of each await, by line, in source order (graph labels). */
  awaits: Map<number, string[]>;
}

/** `__nwcLine(n);` statements mark where source line n's code starts (see emit.ts `stripLineMarkers`). */
export const LINE_MARKER = "__nwcLine";

const COMBINATORS = new Set(["all", "race", "any", "allSettled", "resolve", "reject"]);

function isAsync(n: ts.Node): boolean {
  return !!ts.getModifiers(n as any)?.some((m: ts.ModifierLike) => m.kind === ts.SyntaxKind.AsyncKeyword);
}

function isGlobalPromise(checker: ts.TypeChecker, e: ts.Expression): boolean {
  if (!ts.isIdentifier(e) || e.text !== "Promise") return false;
  const s = checker.getSymbolAtLocation(e);
  return !!s?.declarations?.every((d) => d.getSourceFile().hasNoDefaultLib || /lib\.[^/]*\.d\.ts$/.test(d.getSourceFile().fileName));
}

/** Typed as an array (an `any` may be a Set, a Map or a string: those go through the iterator). */
function isArrayLike(checker: ts.TypeChecker, e: ts.Expression): boolean {
  return isArrayOrTupleType(checker, checker.getTypeAtLocation(e));
}

/** Does `n` (a binding pattern or destructuring target, defaults included) contain an await? */
function containsAwaitIn(n: ts.Node): boolean {
  if (ts.isAwaitExpression(n)) return true;
  return !!ts.forEachChild(n, containsAwaitIn);
}

export function asyncToGenerator(fn: ts.FunctionLikeDeclaration, checker: ts.TypeChecker, nextIndex: () => number): PreTransformResult {
  const sf = fn.getSourceFile();
  const closures: PreTransformResult["closures"] = [];
  const awaits: PreTransformResult["awaits"] = new Map();
  let usingCount = 0;
  let loopCount = 0;
  /** The live for...of loops being visited whose collection is a binding (innermost last). */
  const cursors: { collection: ts.Symbol; name: string }[] = [];
  const tdz = planTdz(fn, checker);
  /** Compound assignments and updates already wrapped in their check. */
  const tdzChecked = new Set<ts.Node>();
  const lineOf = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;

  const transformer: ts.TransformerFactory<ts.Node> = (context) => {
    const f = context.factory;
    const yieldOf = (line: number, e: ts.Expression) =>
      f.createParenthesizedExpression(f.createYieldExpression(undefined, f.createArrayLiteralExpression([f.createNumericLiteral(line), e])));
    const rtCall = (name: string, args: ts.Expression[]) =>
      f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier("__nwc_rt"), name), undefined, args);
    const iter = (e: ts.Expression) => rtCall("iter", [e]);
    // Array destructuring with no await in the pattern: read as many items as the pattern has
    // (all, with a rest element), then close the iterator if it is not done, as destructuring does.
    const hasRest = (elements: ts.NodeArray<ts.Node>) => elements.some((el) => ts.isSpreadElement(el) || (ts.isBindingElement(el) && !!el.dotDotDotToken));
    // Array destructuring with no await in the pattern: read as many items as the pattern has
    // (all, with a rest element), then close the iterator if it is not done, as destructuring does.
    const take = (elements: ts.NodeArray<ts.Node>, e: ts.Expression) =>
      rtCall("take", [e, hasRest(elements) ? f.createIdentifier("Infinity") : f.createNumericLiteral(elements.length)]);
    /**
     * A pattern whose elements run code between the reads (a default value, a nested pattern,
     * a property or element target): the items are pulled one at a time as the lowered code
     * reads them, so that code runs between the reads as it does in the language. Without a
     * rest element, one more element, which reads past the pattern's end, closes the iterator
     * after the last element's code: `[a = f(), b] = it` -> `[a = f(), b, __nwc_rt.closed] = __nwc_rt.pull(it, 2)`.
     */
    const runsCodeBetweenReads = (el: ts.Node) => !ts.isOmittedExpression(el) &&
      !(ts.isBindingElement(el) && ts.isIdentifier(el.name) && !el.initializer && !el.dotDotDotToken) &&
      !ts.isIdentifier(el) && !(ts.isSpreadElement(el) && ts.isIdentifier(el.expression));
    const pull = (elements: ts.NodeArray<ts.Node>, e: ts.Expression) =>
      rtCall("pull", [e, hasRest(elements) ? f.createIdentifier("Infinity") : f.createNumericLiteral(elements.length)]);
    let closerCount = 0;
    /** `const <pattern> = <value>` for a non-array value (both already visited but `source`, the pattern as written). */
    const arrayBinding = (source: ts.ArrayBindingPattern, pattern: ts.ArrayBindingPattern, value: ts.Expression): [ts.BindingName, ts.Expression] => {
      const els = source.elements;
      if (containsAwaitIn(source)) return [pattern, rtCall("awaitingPattern", [value])];
      if (!els.some(runsCodeBetweenReads)) return [pattern, take(els, value)];
      const closer = f.createBindingElement(undefined, undefined, f.createIdentifier(`__nwc_closer${closerCount++}`));
      return [hasRest(els) ? pattern : f.updateArrayBindingPattern(pattern, [...pattern.elements, closer]), pull(els, value)];
    };
    let itemCount = 0;
    /**
     * `for (const [a, b] of xs)` whose items are not typed as arrays: the loop binds the item
     * and its body starts by destructuring it in a statement, wrapped as above (the source's
     * body stays a block of its own, as it may declare a name like the pattern's):
     * `for (const __nwc_item0 of xs) { const [a, b] = __nwc_rt.take(__nwc_item0, 2); { body } }`.
     */
    const itemBinding = (node: ts.ForOfStatement): { initializer: ts.ForInitializer; wrapBody: (body: ts.Statement) => ts.Statement } | undefined => {
      const list = node.initializer;
      if (!ts.isVariableDeclarationList(list) || list.declarations.length !== 1) return undefined;
      const source = list.declarations[0]!.name;
      if (!ts.isArrayBindingPattern(source) || isArrayOrTupleType(checker, checker.getTypeAtLocation(source))) return undefined;
      const item = f.createIdentifier(`__nwc_item${itemCount++}`);
      const [name, value] = arrayBinding(source, ts.visitNode(source, visit) as ts.ArrayBindingPattern, item);
      const flags = list.flags & (ts.NodeFlags.Const | ts.NodeFlags.Let);
      const destructure = f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(name, undefined, undefined, value)], flags));
      return {
        initializer: f.createVariableDeclarationList([f.createVariableDeclaration(item)], flags),
        wrapBody: (body) => f.createBlock([destructure, body], true),
      };
    };

    const toGenerator = (node: ts.FunctionLikeDeclaration): ts.FunctionExpression => {
      const params = node.parameters.map((p) => ts.visitNode(p, visit) as ts.ParameterDeclaration);
      let body: ts.Block;
      if (ts.isBlock(node.body!)) body = visitBlock(node.body);
      else body = f.createBlock([f.createReturnStatement(ts.visitNode(node.body!, visit) as ts.Expression)], true);
      return f.createFunctionExpression(undefined, f.createToken(ts.SyntaxKind.AsteriskToken), undefined, undefined, params, undefined, body);
    };

    const id = (name: string) => f.createIdentifier(name);
    const assign = (name: string, e: ts.Expression) => f.createExpressionStatement(f.createAssignment(id(name), e));
    /**
     * `const x = e; rest` with x disposed at the end, as the language does it: an error of
     * the disposal replaces a completion that was normal, and wraps one that was a throw
     * in a SuppressedError (`.error` the disposal's, `.suppressed` the scope's).
     */
    const usingScope = (d: ts.VariableDeclaration, isAwait: boolean, line: number, rest: ts.Statement[]): ts.Statement[] => {
      const n = usingCount++;
      const err = `__nwc_uerr${n}`, has = `__nwc_uhas${n}`, caught = `__nwc_ue${n}`;
      const call = f.createCallExpression(f.createPropertyAccessExpression(id("__nwc_rt"), "dispose"), undefined,
        [id((d.name as ts.Identifier).text), isAwait ? f.createTrue() : f.createFalse()]);
      const record = (e: ts.Expression) => f.createBlock([assign(err, e), assign(has, f.createTrue())], true);
      return [
        f.createVariableStatement(undefined, f.createVariableDeclarationList([d], ts.NodeFlags.Const)),
        f.createVariableStatement(undefined, f.createVariableDeclarationList([
          f.createVariableDeclaration(err, undefined, undefined, f.createVoidZero()),
          f.createVariableDeclaration(has, undefined, undefined, f.createFalse()),
        ], ts.NodeFlags.Let)),
        f.createTryStatement(
          f.createBlock(rest, true),
          f.createCatchClause(caught, record(id(caught))),
          f.createBlock([
            f.createTryStatement(
              f.createBlock([f.createExpressionStatement(isAwait ? yieldOf(line, call) : call)], true),
              f.createCatchClause(caught, record(f.createConditionalExpression(id(has), undefined,
                f.createCallExpression(f.createPropertyAccessExpression(id("__nwc_rt"), "suppressed"), undefined, [id(caught), id(err)]),
                undefined, id(caught)))),
              undefined,
            ),
            f.createIfStatement(id(has), f.createThrowStatement(id(err))),
          ], true),
        ),
      ];
    };

    /** Blocks: `using` declarations wrap the rest of the block in try/finally. */
    const visitStatements = (stmts: readonly ts.Statement[]): ts.Statement[] => {
      const out: ts.Statement[] = [];
      // Nested `async function f() {}` declarations: hoisted to the top of their block as
      // `var f = <compiled closure>`, so calls before the declaration still work.
      for (const s of stmts) {
        if (ts.isFunctionDeclaration(s) && s.name && s.body && isAsync(s)) {
          out.push(f.createVariableStatement(undefined, f.createVariableDeclarationList(
            [f.createVariableDeclaration(s.name.text, undefined, undefined, visit(s) as ts.Expression)], ts.NodeFlags.None)));
        }
      }
      stmts = stmts.filter((s) => !(ts.isFunctionDeclaration(s) && s.name && s.body && isAsync(s)));
      // Bindings an early function may read enter their dead zone with the block (tdz.ts).
      const dead = stmts.flatMap((s) => (ts.isVariableStatement(s) ? tdz.resets.get(s) ?? [] : []));
      if (dead.length) out.unshift(tdzReset(f, dead));
      let marked = -1;
      for (let i = 0; i < stmts.length; i++) {
        const s = stmts[i]!;
        // A line marker before each statement (not before a directive, which must stay first):
        // emit.ts turns them into the source map of the step functions, then removes them.
        const line = lineOf(s);
        if (line !== marked && !(ts.isExpressionStatement(s) && ts.isStringLiteral(s.expression))) {
          out.push(f.createExpressionStatement(f.createCallExpression(id(LINE_MARKER), undefined, [f.createNumericLiteral(line)])));
          marked = line;
        }
        if (ts.isVariableStatement(s) && (s.declarationList.flags & ts.NodeFlags.Using)) {
          const isAwait = (s.declarationList.flags & ts.NodeFlags.AwaitUsing) === ts.NodeFlags.AwaitUsing;
          const decls = s.declarationList.declarations.map((d) => ts.visitNode(d, visit) as ts.VariableDeclaration);
          const line = lineOf(s);
          // One scope per declaration, nested: the later ones are disposed first, and a
          // declaration whose initializer throws still gets the earlier ones disposed.
          let inner = visitStatements(stmts.slice(i + 1));
          for (const d of [...decls].reverse()) inner = usingScope(d, isAwait, line, inner);
          out.push(...inner);
          return out;
        }
        out.push(ts.visitNode(s, visit) as ts.Statement);
      }
      return out;
    };
    const visitBlock = (b: ts.Block): ts.Block => f.createBlock(visitStatements(b.statements), true);

    /**
     * The step budget (step-counting.ts): a count at the top of every loop body and of
     * every sync function body, so that an endless loop or recursion fails its step
     * instead of freezing the partition. Async functions need none: each of their
     * resumptions is a job, and jobs are counted already.
     */
    /** for...of over a non-array: a lazy view closed on early exit, or a live cursor if the loop awaits (iteration.ts). */
    const iterationOf = (node: ts.ForOfStatement, labels: ts.Identifier[]): ts.Statement => {
      const n = loopCount++;
      const awaits = containsAwait(node.statement) || containsAwait(node.initializer);
      // A loop over a Set or Map named by a binding: deletions through that binding in the
      // body are told to the cursor (an entry deleted and added again is visited again).
      const collection = awaits && ts.isIdentifier(node.expression) ? checker.getSymbolAtLocation(node.expression) : undefined;
      if (collection) cursors.push({ collection, name: `__nwc_it${n}` });
      const split = itemBinding(node);
      const body = ts.visitNode(node.statement, visit) as ts.Statement;
      const parts = {
        initializer: split?.initializer ?? ts.visitNode(node.initializer, visit) as ts.ForInitializer,
        expression: ts.visitNode(node.expression, visit) as ts.Expression,
        statement: countedBlock(f, split ? split.wrapBody(body) : body, lineOf(node)),
        labels,
      };
      if (collection) cursors.pop();
      return (awaits ? liveForOf : lazyForOf)(f, parts, n);
    };
    /** `s.delete(k)` / `s.clear()` on the collection of an enclosing live loop: `__nwc_rt.deleted(cursor, s, k)` (iteration.ts). */
    const cursorOf = (call: ts.CallExpression): string | undefined => {
      const callee = call.expression;
      if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.expression)) return undefined;
      if (!(callee.name.text === "delete" && call.arguments.length === 1) && !(callee.name.text === "clear" && call.arguments.length === 0)) return undefined;
      const s = checker.getSymbolAtLocation(callee.expression);
      for (let i = cursors.length - 1; i >= 0; i--) if (s && cursors[i]!.collection === s) return cursors[i]!.name;
      return undefined;
    };
    const visit = (node: ts.Node): ts.Node => {
      const visited = visitNode(node);
      // A loop the visitor rewrote into another shape (iterationOf) is counted already.
      if (ts.isIterationStatement(node, false) && node.kind !== visited.kind) return visited;
      return countNode(f, node, visited, lineOf(node));
    };
    const visitNode = (node: ts.Node): ts.Node => {
      if (ts.isIdentifier(node) && tdz.uses.has(node) && !isWriteTarget(node)) return tdzRead(f, node);
      if (ts.isShorthandPropertyAssignment(node) && tdz.uses.has(node.name)) return f.createPropertyAssignment(node.name.text, tdzRead(f, node.name));
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(node.left) && tdz.uses.has(node.left)) {
        return tdzWrite(f, node.left, ts.visitNode(node.right, visit) as ts.Expression);
      }
      const updated = ts.isBinaryExpression(node) ? node.left : ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node) ? node.operand : undefined;
      if (updated && ts.isIdentifier(updated) && tdz.uses.has(updated) && isWriteTarget(updated) && !tdzChecked.has(node)) {
        tdzChecked.add(node);
        return tdzBefore(f, updated, visitNode(node) as ts.Expression);
      }
      // `let x;` of a checked binding: declared means initialized (to undefined), no longer dead.
      if (ts.isVariableDeclaration(node) && !node.initializer && ts.isIdentifier(node.name) && ts.isVariableStatement(node.parent.parent) &&
          tdz.resets.get(node.parent.parent)?.includes(node.name.text)) {
        return f.updateVariableDeclaration(node, node.name, undefined, undefined, f.createVoidZero());
      }
      if (ts.isAwaitExpression(node)) {
        const text = node.expression.getText(sf).replace(/\s+/g, " ");
        (awaits.get(lineOf(node)) ?? awaits.set(lineOf(node), []).get(lineOf(node))!).push(text.length > 60 ? text.slice(0, 57) + "..." : text);
        return yieldOf(lineOf(node), ts.visitNode(node.expression, visit) as ts.Expression);
      }
      if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node) || (ts.isFunctionDeclaration(node) && node !== fn)) && isAsync(node)) {
        const index = nextIndex();
        closures.push({ index, name: node.name?.text ?? (ts.isVariableDeclaration(node.parent) && ts.isIdentifier(node.parent.name) ? node.parent.name.text : `closure@${lineOf(node)}`), line: lineOf(node), node: ts.getOriginalNode(node) });
        return f.createCallExpression(f.createIdentifier("__nwcAsync"), undefined, [f.createNumericLiteral(index), toGenerator(node)]);
      }
      if (ts.isBlock(node)) return visitBlock(node);
      const cursor = ts.isCallExpression(node) ? cursorOf(node) : undefined;
      if (cursor && ts.isCallExpression(node)) {
        const target = (node.expression as ts.PropertyAccessExpression).expression;
        return rtCall("deleted", [id(cursor), ts.visitNode(target, visit) as ts.Expression, ...node.arguments.map((a) => ts.visitNode(a, visit) as ts.Expression)]);
      }
      if (isTaskMethodCall(checker, node) && node.arguments.every(isInlineCallback)) {
        const method = node.expression.name.text;
        const line = lineOf(node);
        const index = nextIndex();
        closures.push({ index, name: `${method}@${line}`, line, node: ts.getOriginalNode(node) });
        const task = ts.visitNode(node.expression.expression, visit) as ts.Expression;
        const taskText = node.expression.expression.getText(sf).replace(/\s+/g, " ");
        const texts = method === "finally" && node.arguments.length > 0 ? [taskText, `${method} callback`, method] : [taskText];
        (awaits.get(line) ?? awaits.set(line, []).get(line)!).push(...texts.map((t) => (t.length > 60 ? t.slice(0, 57) + "..." : t)));
        const callbacks = node.arguments.map((a) => ts.visitNode(a, visit) as ts.Expression);
        const body = taskMethodBody(f, method, task, callbacks, (e) => yieldOf(line, e));
        const gen = f.createFunctionExpression(undefined, f.createToken(ts.SyntaxKind.AsteriskToken), undefined, undefined, [], undefined, f.createBlock(body, true));
        return f.createCallExpression(f.createCallExpression(f.createIdentifier("__nwcAsync"), undefined, [f.createNumericLiteral(index), gen]), undefined, []);
      }
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && COMBINATORS.has(node.expression.name.text) && isGlobalPromise(checker, node.expression.expression)) {
        return f.createCallExpression(
          f.createPropertyAccessExpression(f.createIdentifier("__nwc_rt"), node.expression.name.text), undefined,
          node.arguments.map((a) => ts.visitNode(a, visit) as ts.Expression),
        );
      }
      if (ts.isForOfStatement(node) && !isArrayLike(checker, node.expression)) return iterationOf(node, []);
      if (ts.isForOfStatement(node)) {
        const split = itemBinding(node);
        if (split) {
          const body = split.wrapBody(ts.visitNode(node.statement, visit) as ts.Statement);
          return f.updateForOfStatement(node, node.awaitModifier, split.initializer, ts.visitNode(node.expression, visit) as ts.Expression, body);
        }
      }
      if (ts.isLabeledStatement(node)) {
        // A loop lowered into a block keeps its labels on the loop itself (iteration.ts).
        const labels: ts.Identifier[] = [];
        let inner: ts.Statement = node;
        while (ts.isLabeledStatement(inner)) {
          labels.push(inner.label);
          inner = inner.statement;
        }
        if (ts.isForOfStatement(inner) && !isArrayLike(checker, inner.expression)) return iterationOf(inner, labels);
      }
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.AsteriskAsteriskToken) {
        return rtCall("pow", [ts.visitNode(node.left, visit) as ts.Expression, ts.visitNode(node.right, visit) as ts.Expression]);
      }
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.AsteriskAsteriskEqualsToken && ts.isIdentifier(node.left)) {
        // `x **= e` is `x = x ** e` for a plain binding (a property target is NWC3019).
        return f.createAssignment(node.left, rtCall("pow", [node.left, ts.visitNode(node.right, visit) as ts.Expression]));
      }
      if (ts.isSpreadElement(node) && !isArrayLike(checker, node.expression)) {
        return f.updateSpreadElement(node, iter(ts.visitNode(node.expression, visit) as ts.Expression));
      }
      if (ts.isVariableDeclaration(node) && ts.isArrayBindingPattern(node.name) && node.initializer && !isArrayLike(checker, node.initializer)) {
        const [name, value] = arrayBinding(node.name, ts.visitNode(node.name, visit) as ts.ArrayBindingPattern, ts.visitNode(node.initializer, visit) as ts.Expression);
        return f.updateVariableDeclaration(node, name, undefined, undefined, value);
      }
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isArrayLiteralExpression(node.left) && !isArrayLike(checker, node.right)) {
        const els = node.left.elements;
        const right = ts.visitNode(node.right, visit) as ts.Expression;
        const left = ts.visitNode(node.left, visit) as ts.ArrayLiteralExpression;
        if (containsAwaitIn(node.left)) return f.updateBinaryExpression(node, left, node.operatorToken, rtCall("awaitingPattern", [right]));
        if (!els.some(runsCodeBetweenReads)) return f.updateBinaryExpression(node, left, node.operatorToken, take(els, right));
        const closed = f.createPropertyAccessExpression(f.createIdentifier("__nwc_rt"), "closed");
        return f.updateBinaryExpression(node, hasRest(els) ? left : f.updateArrayLiteralExpression(left, [...left.elements, closed]), node.operatorToken, pull(els, right));
      }
      return ts.visitEachChild(node, visit, context);
    };
    return (root) => toGenerator(root as ts.FunctionLikeDeclaration);
  };

  const result = ts.transform<ts.Node>(fn, [transformer]);
  const gen = result.transformed[0]!;
  const printer = ts.createPrinter({ removeComments: true });
  const text = `__nwcRoot(${printer.printNode(ts.EmitHint.Expression, gen, sf)});`;
  result.dispose();
  return { text, closures, awaits };
}
