/**
 * Third lowering: moves the locals of the ES5 generator output into frame
 * scopes and cuts each compiled function out as a step-function definition.
 *
 * Every `var` and parameter of a compiled function F at nesting depth d becomes
 * a property of scope object d: a reference `x` becomes `__nwc_L<d>.x`, where
 * `__nwc_L<d> = __nwc_S[d]` and `__nwc_S` is the branch's scope chain (from the
 * frame). Nested compiled closures (`__nwcAsync(N, fn)`) become
 * `__nwc_rt.closure(__nwc_fns[N], __nwc_S)`: calling one starts a branch whose
 * chain extends the current one. Locals of nested sync functions, catch
 * variables of try blocks without awaits, function declarations, and locals no
 * await separates from their uses (step-locals.ts) stay ordinary JavaScript
 * locals of the step (they never live across an await). Exception: what an async
 * closure captures from a sync per-iteration loop body or an await-free catch
 * clause moves to a frame scope made per call (syncLoopBody, scopedCatch).
 *
 * Before:  __nwcRoot(function (ctx, x) { var a; return __generator(this, function (_a) {
 *            switch (_a.label) { case 0: return [4, [3, ctx.call(f, x)]]; case 1: a = _a.sent(); return [2, a + 1]; } }); });
 * After:   { name: "n", params: ["ctx", "x"], body: function (_a, __nwc_S, __nwc_rt) { var __nwc_L0 = __nwc_S[0];
 *            switch (_a.label) { case 0: return [4, [3, __nwc_L0.ctx.call(f, __nwc_L0.x)]];
 *                                case 1: __nwc_L0.a = _a.sent(); return [2, __nwc_L0.a + 1]; } } }
 *
 * Invariant: a name is rewritten iff it resolves (by the scoping rules of ES5
 * output: function scopes, catch clauses) to a local or parameter of a
 * compiled function; so the step function reads and writes exactly the
 * variables the original did, only they live in the frame.
 */
import ts from "typescript";
import { flowOf, type FunctionFlow } from "./graph.ts";
import { stepLocalNames } from "./step-locals.ts";

export interface StepFunctionDef {
  index: number;
  name: string;
  line: number;
  /** JavaScript source of the CompiledFunction object literal (runtime/engine/registry.ts). */
  text: string;
  flow: FunctionFlow;
  /** Index of the compiled function this one is nested in, if any. */
  parent?: number;
}

/** `frame`: depth of the frame scope holding `names` (undefined: ordinary JS locals); `chain`: the scope-chain variable in effect there. */
type Scope = { frame: number | undefined; names: Set<string>; chain?: string };

const f = ts.factory;

function varNamesOf(body: ts.Node, out: Set<string>): void {
  const visit = (n: ts.Node): void => {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name)) out.add(n.name.text);
    if (ts.isFunctionDeclaration(n)) {
      if (n.name) out.add(n.name.text);
      return;
    }
    if (ts.isFunctionLike(n)) return;
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(body, visit);
}

/** Identifiers `n` reads or writes (a `var x;` without initializer declares, it does not use). */
function identifiersOf(n: ts.Node, out: Set<string>): void {
  const visit = (c: ts.Node): void => {
    if (ts.isVariableDeclaration(c) && !c.initializer) return;
    if (ts.isIdentifier(c)) out.add(c.text);
    ts.forEachChild(c, visit);
  };
  visit(n);
}

function containsAsyncClosure(n: ts.Node): boolean {
  if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === "__nwcAsync") return true;
  return !!ts.forEachChild(n, containsAsyncClosure);
}

function isGeneratorReturn(s: ts.Statement): s is ts.ReturnStatement {
  return ts.isReturnStatement(s) && !!s.expression && ts.isCallExpression(s.expression) &&
    ts.isIdentifier(s.expression.expression) && s.expression.expression.text === "__generator";
}

export class FrameHoister {
  readonly defs: StepFunctionDef[] = [];
  readonly helpersUsed = new Set<string>();
  /**
   * Tagged-template call sites of the module (shared by its hoisters): each site's strings
   * array is made once and kept in the module's `__nwc_sites[k]`, as JavaScript caches it per site.
   */
  templateSites = { count: 0 };
  private printer = ts.createPrinter({ removeComments: true });

  /** Call-binding temporaries of the function being rewritten (see findCallTemps). */
  private callTemps = new Map<string, CallTemp>();

  /** `_loop_N` generator functions of the function being rewritten, by name -> step-function index. */
  private loopGens = new Map<string, number>();

  constructor(
    private sf: ts.SourceFile,
    private names: Map<number, { name: string; line: number }>,
    private userNames: ReadonlySet<string>,
    private nextIndex: () => number = () => {
      throw new Error("nwc compiler: no index allocator (internal error)");
    },
  ) {}

  /** Processes the compiled function `fn` (ES5 output) at `depth`, registering it (and its nested closures) as step functions. */
  process(fn: ts.FunctionExpression, depth: number, index: number, outer: Scope[], parent?: number): void {
    const stmts = fn.body.statements;
    const gen = stmts.find(isGeneratorReturn);
    if (!gen) throw new Error("nwc compiler: expected the ES5 generator shape `return __generator(this, function (_a) {...})` (internal error)");
    const body = (gen.expression as ts.CallExpression).arguments[1];
    if (!body || !ts.isFunctionExpression(body)) throw new Error("nwc compiler: unexpected __generator body (internal error)");

    const frameNames = new Set<string>();
    for (const p of fn.parameters) frameNames.add((p.name as ts.Identifier).text);
    const funcDecls: ts.FunctionDeclaration[] = [];
    const pre: ts.Statement[] = [];
    for (const s of stmts) {
      if (s === gen) continue;
      if (ts.isFunctionDeclaration(s)) funcDecls.push(s);
      else {
        if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) frameNames.add((d.name as ts.Identifier).text);
        pre.push(s);
      }
    }
    const innerVars = new Set<string>();
    varNamesOf(body.body, innerVars);
    for (const v of innerVars) frameNames.add(v);
    for (const d of funcDecls) frameNames.delete(d.name!.text);
    // `_loop_N`: TypeScript's per-iteration function for a loop whose block-scoped
    // bindings are captured by closures. Such a loop has no await (else NWC3011),
    // so the function is created and used within one step: a step-local, not a frame slot.
    const loopFns = [...frameNames].filter((n) => this.isLoopFn(n));
    for (const n of loopFns) frameNames.delete(n);
    // A `_loop_N` whose body is a generator (its loop awaits) is a compiled function of its own:
    // each iteration runs it as a delegated activation with a fresh scope (the per-iteration
    // binding, boxed in the frame), as `yield*` would.
    const savedLoops = this.loopGens;
    this.loopGens = new Map();
    const meta0 = this.names.get(index) ?? { name: "<anonymous>", line: 0 };
    const findLoops = (n: ts.Node): void => {
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(n.left) && this.isLoopFn(n.left.text) &&
          ts.isFunctionExpression(n.right) && n.right.body.statements.some(isGeneratorReturn)) {
        const idx = this.nextIndex();
        this.loopGens.set(n.left.text, idx);
        this.names.set(idx, { name: `${meta0.name}/loop@${idx}`, line: meta0.line });
      }
      if (n !== body && ts.isFunctionLike(n)) return;
      ts.forEachChild(n, findLoops);
    };
    ts.forEachChild(body.body, findLoops);

    // Locals no await separates from their uses stay locals of the step (step-locals.ts).
    const params0 = new Set(fn.parameters.map((p) => (p.name as ts.Identifier).text));
    const usedOutside = new Set<string>();
    for (const s of [...funcDecls, ...pre]) identifiersOf(s, usedOutside);
    // Call temporaries and what they read are moved between clauses by the rewrite below: never step-locals.
    const temps = findCallTemps(body, (n) => frameNames.has(n) && !this.userNames.has(n));
    for (const [name, t] of temps) {
      usedOutside.add(name);
      for (const e of [t.path, t.objPath, t.obj, t.key?.expr]) if (e) identifiersOf(e, usedOutside);
    }
    const stepLocals = stepLocalNames(body, new Set([...frameNames].filter((n) => !params0.has(n) && !usedOutside.has(n))));
    for (const n of stepLocals) frameNames.delete(n);
    const frameScope: Scope = { frame: depth, names: frameNames };
    const localFns: Scope = { frame: undefined, names: new Set([...funcDecls.map((d) => d.name!.text), ...loopFns, ...stepLocals]) };
    const scopes = [...outer, frameScope, localFns];
    const stateName = (body.parameters[0]!.name as ts.Identifier).text;
    const bodyScopes = [...scopes, { frame: undefined, names: new Set([stateName]) }];

    const savedTemps = this.callTemps;
    this.callTemps = temps;
    const aliases = [...Array.from({ length: depth + 1 }, (_, d) => `__nwc_L${d} = __nwc_S[${d}]`), ...loopFns, ...stepLocals].join(", ");
    const fnText = funcDecls.map((d) => this.print(this.rewrite(d, bodyScopes, true, index))).join("\n");
    const preText = pre.map((s) => this.print(this.rewrite(s, scopes, true, index, true))).filter((t) => t.trim() !== "" && t.trim() !== ";").join("\n");
    const bodyText = body.body.statements.map((s) => this.print(this.rewrite(s, bodyScopes, true, index))).join("\n");
    this.callTemps = savedTemps;
    this.loopGens = savedLoops;
    const meta = this.names.get(index) ?? { name: "<anonymous>", line: 0 };
    const params = fn.parameters.map((p) => JSON.stringify(slotName((p.name as ts.Identifier).text))).join(", ");
    const text =
      `{ name: ${JSON.stringify(meta.name)}, line: ${meta.line}, params: [${params}],` +
      (preText ? `\n  pre: function (__nwc_S, __nwc_rt, __nwc_args) { var ${aliases};\n${preText}\n  },` : "") +
      `\n  body: function (${stateName}, __nwc_S, __nwc_rt) { var ${aliases};\n${fnText}\n${bodyText}\n  } }`;
    this.defs.push({ index, name: meta.name, line: meta.line, text, flow: flowOf(body, this.sf), parent });
  }

  /**
   * A sync per-iteration loop body (`_loop_N = function (x) { ... }`, TypeScript's lowering of a
   * loop without awaits whose block-scoped bindings closures capture) that creates async
   * closures: its parameters and locals outlive the call in those closures' branches, so each
   * call gets a frame scope of its own, pushed onto the chain the closures capture.
   *
   * Before:  _loop_1 = function (x) { running.push(__nwcAsync(1, ...)()); };
   * After:   _loop_1 = function (x) { var __nwc_S1 = __nwc_rt.scope(__nwc_S, { x: x }), __nwc_L1 = __nwc_S1[1];
   *            __nwc_L0.running.push(__nwc_rt.closure(__nwc_fns[1], __nwc_S1)()); };
   */
  private syncLoopBody(fn: ts.FunctionExpression, scopes: Scope[], owner: number): ts.FunctionExpression {
    const depth = scopes.filter((s) => s.frame !== undefined).length;
    const chain = `__nwc_S${depth}`;
    const params = fn.parameters.map((p) => (p.name as ts.Identifier).text);
    const names = new Set(params);
    varNamesOf(fn.body, names);
    const decls = new Set(fn.body.statements.filter(ts.isFunctionDeclaration).map((d) => d.name!.text));
    for (const d of decls) names.delete(d);
    const inner = [...scopes, { frame: depth, names, chain }, { frame: undefined, names: decls }];
    const body = this.rewrite(fn.body, inner, true, owner);
    return f.updateFunctionExpression(fn, fn.modifiers, fn.asteriskToken, fn.name, undefined, fn.parameters, undefined,
      f.updateBlock(body, [scopePrologue(scopes, depth, params), ...body.statements]));
  }

  /**
   * A catch clause without awaits (TypeScript keeps it a real catch) whose block creates
   * async closures: they may read the catch variable after the block ended, so it moves to
   * a frame scope of its own, one per entry into the clause, as the binding is.
   */
  private scopedCatch(n: ts.CatchClause, scopes: Scope[], owner: number, inPre: boolean): ts.CatchClause {
    const depth = scopes.filter((s) => s.frame !== undefined).length;
    const name = (n.variableDeclaration!.name as ts.Identifier).text;
    const block = this.rewrite(n.block, [...scopes, { frame: depth, names: new Set([name]), chain: `__nwc_S${depth}` }], true, owner, inPre);
    return f.updateCatchClause(n, n.variableDeclaration, f.updateBlock(block, [scopePrologue(scopes, depth, [name]), ...block.statements]));
  }

  /**
   * Does the call keep its callee (and receiver) in the frame (runtime/engine/callee.ts)? When
   * they are reached from a local of compiled code: a concurrent branch may assign that local
   * or property while the arguments await. A module-level callee (`Math.max`, an import, a
   * module-level table) cannot change, and is read again instead of stored.
   */
  private keepsCallee(t: CallTemp, scopes: Scope[]): boolean {
    if (t.kind === "m") return !t.objPath || this.frameRooted(t.objPath, scopes);
    if (t.kind === "k") return this.frameRooted(t.objPath!, scopes);
    return t.kind === "path" && this.frameRooted(t.path!, scopes);
  }

  private frameRooted(e: ts.Expression, scopes: Scope[]): boolean {
    let root = e;
    while (ts.isPropertyAccessExpression(root)) root = root.expression;
    return ts.isIdentifier(root) && this.resolve(root.text, scopes)?.frame !== undefined;
  }

  /** TypeScript's per-iteration function `_loop_N`; it never takes a name the user's code has (so neither do we). */
  private isLoopFn(name: string): boolean {
    return /^_loop_\d+$/.test(name) && !this.userNames.has(name);
  }

  private print(n: ts.Node): string {
    return this.printer.printNode(ts.EmitHint.Unspecified, n, this.sf);
  }

  private resolve(name: string, scopes: Scope[]): Scope | undefined {
    for (let i = scopes.length - 1; i >= 0; i--) if (scopes[i]!.names.has(name)) return scopes[i];
    return undefined;
  }

  private ref(id: ts.Identifier, scopes: Scope[], inPre: boolean): ts.Expression {
    if (inPre && id.text === "arguments") return f.createIdentifier("__nwc_args");
    const s = this.resolve(id.text, scopes);
    if (s && s.frame !== undefined) return f.createPropertyAccessExpression(f.createIdentifier(`__nwc_L${s.frame}`), slotName(id.text));
    if (!s && /^__(assign|rest|spreadArray|makeTemplateObject)$/.test(id.text)) this.helpersUsed.add(id.text);
    return f.createIdentifier(id.text);
  }

  /** Rewrites `node`; `inFrame`: the innermost function is a compiled one (its vars are frame slots). */
  private rewrite<T extends ts.Node>(node: T, scopes: Scope[], inFrame: boolean, owner: number, inPre = false): T {
    const visit = (n: ts.Node): ts.Node | undefined => {
      const temps = this.callTemps;
      if (ts.isIdentifier(n)) {
        const t = temps.get(n.text);
        if (t?.kind === "path" && this.resolve(n.text, scopes)?.frame !== undefined) {
          return this.keepsCallee(t, scopes) ? savedOr(this.ref(n, scopes, inPre), visit(t.path!) as ts.Expression) : visit(t.path!);
        }
        return this.ref(n, scopes, inPre);
      }
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(n.left) && this.isLoopFn(n.left.text) &&
          !this.loopGens.has(n.left.text) && ts.isFunctionExpression(n.right) && inFrame && containsAsyncClosure(n.right)) {
        return f.updateBinaryExpression(n, n.left, n.operatorToken, this.syncLoopBody(n.right, scopes, owner));
      }
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(n.left) && this.loopGens.has(n.left.text) && ts.isFunctionExpression(n.right)) {
        const depth = scopes.filter((s) => s.frame !== undefined).length;
        this.process(n.right, depth, this.loopGens.get(n.left.text)!, scopes, owner);
        return f.createVoidZero();
      }
      if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && (n.expression.text === "__values" || this.loopGens.has(n.expression.text))) {
        // `yield* _loop_N(args)` (with downlevelIteration: `yield* __values(_loop_N(args))`).
        const inner = n.expression.text === "__values" ? n.arguments[0]! : n;
        if (ts.isCallExpression(inner) && ts.isIdentifier(inner.expression) && this.loopGens.has(inner.expression.text)) {
          return f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier("__nwc_rt"), "delegate"), undefined, [
            f.createElementAccessExpression(f.createIdentifier("__nwc_fns"), this.loopGens.get(inner.expression.text)!),
            f.createIdentifier("__nwc_S"),
            f.createArrayLiteralExpression(inner.arguments.map((a) => visit(a) as ts.Expression)),
          ]);
        }
      }
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(n.left) && temps.has(n.left.text)) {
        const t = temps.get(n.left.text)!;
        if (t.kind === "k") {
          const key = f.createAssignment(this.ref(n.left, scopes, inPre), visit(t.key!.expr!) as ts.Expression);
          if (!this.keepsCallee(t, scopes)) return key;
          // `T2 = K, T1 = __nwc_rt.callee(T0[T2])`: the function as read right after the key, before the arguments.
          const read = f.createElementAccessExpression(this.ref(t.receiverSlot!, scopes, inPre), this.ref(n.left, scopes, inPre));
          return f.createParenthesizedExpression(f.createComma(key, f.createAssignment(this.ref(t.calleeSlot!, scopes, inPre), rtCall("callee", [read]))));
        }
        if (t.kind === "alias" && t.forKey && this.keepsCallee(t.forKey, scopes)) {
          return f.createAssignment(this.ref(t.forKey.receiverSlot!, scopes, inPre), visit(t.path!) as ts.Expression); // `T0 = path`: the receiver
        }
        // The callee as read before the arguments, if it may change meanwhile (`T = __nwc_rt.callee((O = o).m)`).
        if (this.keepsCallee(t, scopes)) return f.createAssignment(this.ref(n.left, scopes, inPre), rtCall("callee", [visit(n.right) as ts.Expression]));
        if (t.kind === "path" || t.kind === "alias" || t.objPath) return f.createVoidZero();
        return visit(t.objAssign!) as ts.Expression; // keep `T1 = E`, drop the function temp
      }
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === "apply" &&
          ts.isIdentifier(n.expression.expression) && temps.has(n.expression.expression.text)) {
        const t = temps.get(n.expression.expression.text)!;
        if (t.kind === "k" && this.keepsCallee(t, scopes)) {
          const receiver = this.ref(t.receiverSlot!, scopes, inPre);
          const read = f.createElementAccessExpression(receiver, this.ref(n.expression.expression, scopes, inPre));
          return f.createCallExpression(f.createPropertyAccessExpression(savedOr(this.ref(t.calleeSlot!, scopes, inPre), read), "apply"), undefined,
            [receiver, ...n.arguments.slice(1).map((a) => visit(a) as ts.Expression)]);
        }
        if (t.kind === "k") {
          const callee = f.createElementAccessExpression(visit(t.objPath!) as ts.Expression, this.ref(n.expression.expression, scopes, inPre));
          return f.createCallExpression(f.createPropertyAccessExpression(callee, "apply"), undefined,
            [visit(t.objPath!) as ts.Expression, ...n.arguments.slice(1).map((a) => visit(a) as ts.Expression)]);
        }
        // The receiver: the saved object temp, or (objPath) the path itself, read again.
        const keep = this.keepsCallee(t, scopes);
        const objPath = keep ? undefined : t.objPath;
        const receiver = () => (objPath ? (visit(objPath) as ts.Expression) : this.ref(t.obj!, scopes, inPre));
        const read = t.kind === "path"
          ? (visit(t.path!) as ts.Expression)
          : t.key!.kind === "name"
            ? f.createPropertyAccessExpression(receiver(), t.key!.name!)
            : f.createElementAccessExpression(receiver(), visit(t.key!.expr!) as ts.Expression);
        const fn = keep ? savedOr(this.ref(n.expression.expression, scopes, inPre), read) : read;
        const args = n.arguments.map((a, i) => (i === 0 && objPath && ts.isIdentifier(a) && a.text === t.obj!.text ? receiver() : (visit(a) as ts.Expression)));
        return f.createCallExpression(f.createPropertyAccessExpression(fn, "apply"), undefined, args);
      }
      if (ts.isPropertyAccessExpression(n)) return f.updatePropertyAccessExpression(n, visit(n.expression) as ts.Expression, n.name);
      if (ts.isPropertyAssignment(n)) {
        const name = ts.isComputedPropertyName(n.name) ? (visit(n.name) as ts.PropertyName) : n.name;
        return f.updatePropertyAssignment(n, name, visit(n.initializer) as ts.Expression);
      }
      if (ts.isShorthandPropertyAssignment(n)) return f.createPropertyAssignment(n.name.text, this.ref(n.name, scopes, inPre));
      if (ts.isLabeledStatement(n)) return f.updateLabeledStatement(n, n.label, visit(n.statement) as ts.Statement);
      if (ts.isBreakOrContinueStatement(n) || ts.isMetaProperty(n)) return n;
      if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === "__makeTemplateObject" && !this.resolve("__makeTemplateObject", scopes)) {
        this.helpersUsed.add("__makeTemplateObject");
        const slot = f.createElementAccessExpression(f.createIdentifier("__nwc_sites"), this.templateSites.count++);
        return f.createParenthesizedExpression(f.createLogicalOr(slot, f.createAssignment(slot,
          f.updateCallExpression(n, n.expression, undefined, n.arguments.map((a) => visit(a) as ts.Expression)))));
      }
      if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === "__nwcAsync") {
        const idx = Number((n.arguments[0] as ts.NumericLiteral).text);
        const inner = n.arguments[1] as ts.FunctionExpression;
        if (!inFrame) throw new Error("nwc compiler: async closure inside a sync function (internal error: should have been NWC3010)");
        const depth = scopes.filter((s) => s.frame !== undefined).length;
        this.process(inner, depth, idx, scopes, owner);
        return f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier("__nwc_rt"), "closure"), undefined,
          [f.createElementAccessExpression(f.createIdentifier("__nwc_fns"), idx), f.createIdentifier(chainOf(scopes))]);
      }
      if (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isMethodDeclaration(n) || ts.isAccessor(n)) {
        const names = new Set<string>();
        for (const p of n.parameters) if (ts.isIdentifier(p.name)) names.add(p.name.text);
        if (ts.isFunctionExpression(n) && n.name) names.add(n.name.text);
        names.add("arguments");
        if (n.body) varNamesOf(n.body, names);
        const inner = [...scopes, { frame: undefined, names }];
        const newBody = n.body ? this.rewrite(n.body, inner, false, owner) : undefined;
        if (ts.isFunctionDeclaration(n)) return f.updateFunctionDeclaration(n, n.modifiers, n.asteriskToken, n.name, undefined, n.parameters, undefined, newBody);
        if (ts.isFunctionExpression(n)) return f.updateFunctionExpression(n, n.modifiers, n.asteriskToken, n.name, undefined, n.parameters, undefined, newBody!);
        if (ts.isMethodDeclaration(n)) return f.updateMethodDeclaration(n, n.modifiers, n.asteriskToken, visitName(n.name), n.questionToken, undefined, n.parameters, undefined, newBody);
        if (ts.isGetAccessor(n)) return f.updateGetAccessorDeclaration(n, n.modifiers, visitName(n.name), n.parameters, undefined, newBody);
        return f.updateSetAccessorDeclaration(n as ts.SetAccessorDeclaration, n.modifiers, visitName(n.name), n.parameters, newBody);
      }
      if (ts.isCatchClause(n) && inFrame && n.variableDeclaration && ts.isIdentifier(n.variableDeclaration.name) && containsAsyncClosure(n.block)) {
        return this.scopedCatch(n, scopes, owner, inPre);
      }
      if (ts.isCatchClause(n)) {
        const names = new Set<string>();
        if (n.variableDeclaration && ts.isIdentifier(n.variableDeclaration.name)) names.add(n.variableDeclaration.name.text);
        return f.updateCatchClause(n, n.variableDeclaration, this.rewrite(n.block, [...scopes, { frame: undefined, names }], inFrame, owner, inPre));
      }
      if (ts.isVariableStatement(n)) {
        if (!inFrame) return f.updateVariableStatement(n, n.modifiers, visit(n.declarationList) as ts.VariableDeclarationList);
        const e = assignments(n.declarationList);
        return e ? f.createExpressionStatement(e) : f.createEmptyStatement();
      }
      if (ts.isVariableDeclarationList(n)) {
        if (!inFrame) return f.updateVariableDeclarationList(n, n.declarations.map((d) => f.updateVariableDeclaration(d, d.name, undefined, undefined, d.initializer && (visit(d.initializer) as ts.Expression))));
        return assignments(n);
      }
      if (ts.isForInStatement(n) || ts.isForOfStatement(n)) {
        if (inFrame && ts.isVariableDeclarationList(n.initializer)) {
          const init = this.ref(n.initializer.declarations[0]!.name as ts.Identifier, scopes, inPre);
          return ts.isForInStatement(n)
            ? f.updateForInStatement(n, init, visit(n.expression) as ts.Expression, visit(n.statement) as ts.Statement)
            : f.updateForOfStatement(n, n.awaitModifier, init, visit(n.expression) as ts.Expression, visit(n.statement) as ts.Statement);
        }
      }
      return ts.visitEachChild(n, visit, (ts as any).nullTransformationContext);
    };
    const visitName = (name: ts.PropertyName): ts.PropertyName => (ts.isComputedPropertyName(name) ? (visit(name) as ts.PropertyName) : name);
    const assignments = (list: ts.VariableDeclarationList): ts.Expression | undefined => {
      const parts = list.declarations.filter((d) => d.initializer).map((d) =>
        f.createAssignment(this.ref(d.name as ts.Identifier, scopes, inPre), visit(d.initializer!) as ts.Expression));
      if (parts.length === 0) return undefined;
      return parts.reduce<ts.Expression>((a, b) => f.createComma(a, b), parts.shift()!);
    };
    return visit(node) as T;
  }
}

/**
 * The property of a scope object that holds local `name`. A scope is a plain object, so a
 * local named like a member of Object.prototype (`constructor`, `toString`, `__proto__`)
 * would read the inherited member before its first assignment (and `__proto__` would set
 * the prototype): those get a `$` in front, as does every name that already starts with
 * `$`s followed by one of them, so no two locals share a slot.
 */
export function slotName(name: string): string {
  return Object.prototype.hasOwnProperty.call(Object.prototype, name.replace(/^\$+/, "")) ? `$${name}` : name;
}

function rtCall(name: string, args: ts.Expression[]): ts.Expression {
  return f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier("__nwc_rt"), name), undefined, args);
}

/** `(T === __nwc_rt.readAgain ? read : T)`: the saved callee, or where the frame could not hold it, the callee read now. */
function savedOr(saved: ts.Expression, read: ts.Expression): ts.Expression {
  return f.createParenthesizedExpression(f.createConditionalExpression(
    f.createStrictEquality(saved, f.createPropertyAccessExpression(f.createIdentifier("__nwc_rt"), "readAgain")), undefined, read, undefined, saved));
}

/** `var __nwc_S<d> = __nwc_rt.scope(<chain>, { a: a, ... }), __nwc_L<d> = __nwc_S<d>[d];`: a new frame scope holding `names`. */
function scopePrologue(scopes: Scope[], depth: number, names: string[]): ts.VariableStatement {
  const chain = `__nwc_S${depth}`;
  const init = f.createObjectLiteralExpression(names.map((p) => f.createPropertyAssignment(slotName(p), f.createIdentifier(p))));
  return f.createVariableStatement(undefined, [
    f.createVariableDeclaration(chain, undefined, undefined, f.createCallExpression(
      f.createPropertyAccessExpression(f.createIdentifier("__nwc_rt"), "scope"), undefined, [f.createIdentifier(chainOf(scopes)), init])),
    f.createVariableDeclaration(`__nwc_L${depth}`, undefined, undefined, f.createElementAccessExpression(f.createIdentifier(chain), depth)),
  ]);
}

/** The variable holding the scope chain closures created at this point capture. */
function chainOf(scopes: Scope[]): string {
  for (let i = scopes.length - 1; i >= 0; i--) if (scopes[i]!.chain) return scopes[i]!.chain!;
  return "__nwc_S";
}

/**
 * TypeScript evaluates a callee before arguments that await by saving it in
 * temporaries: `_b = (_a = obj).push; ... _b.apply(_a, [_c.sent()])`, or
 * `_a = f; ... _a.apply(void 0, [...])`. A function cannot live in a frame, so
 * the function temporary is dropped and the callee is read again at the call
 * (`_a.push.apply(_a, ...)`, `f.apply(void 0, ...)`). Where the callee is reached
 * from a local, the frame keeps it after all, as `__nwc_rt.callee(...)` (the function,
 * or a marker to read it again if the frame cannot hold it: runtime/engine/callee.ts),
 * with the receiver: a concurrent branch may reassign the local or the property
 * while the arguments await.
 */
interface CallTemp {
  /**
   * "m": `T = (O = obj)[key]`; "path": `T = path`; "k": `T2 = T1[K]` after `T1 = (T0 = path)`
   * (`table[await k](await x)`): T2 keeps the key K; where the call keeps its callee, T0 keeps
   * the receiver and T1 the function read right after the key (else the call reads `path[T2]`
   * again); "alias": `T1 = (T0 = path)` itself, dropped unless it is so kept.
   */
  kind: "m" | "path" | "k" | "alias";
  obj?: ts.Identifier;
  objAssign?: ts.Expression;
  /** The receiver is a path (`out` in `out.push(await x)`): read it again rather than keep an alias in the frame. */
  objPath?: ts.Expression;
  key?: { kind: "name"; name?: ts.MemberName; expr?: undefined } | { kind: "expr"; expr?: ts.Expression; name?: undefined };
  path?: ts.Expression;
  /** "k": the temps T1 and T0, which keep the callee and the receiver when the call keeps them. */
  calleeSlot?: ts.Identifier;
  receiverSlot?: ts.Identifier;
  /** "alias" T1: its "k" temp; `T1 = (T0 = path)` becomes `T0 = path`, the receiver, when that call keeps its callee. */
  forKey?: CallTemp;
}

/** A callee TypeScript saved that can be read again without effects: `f`, `Math.max`, `"s".concat`, `a.b.c`. */
function isPath(e: ts.Expression, isTemp: (name: string) => boolean): boolean {
  if (ts.isIdentifier(e)) return !isTemp(e.text);
  if (ts.isPropertyAccessExpression(e)) return isPath(e.expression, isTemp) || ts.isStringLiteral(e.expression);
  return false;
}

function findCallTemps(body: ts.FunctionExpression, isTemp: (name: string) => boolean): Map<string, CallTemp> {
  const found = new Map<string, CallTemp>();
  const applied = new Set<string>();
  const uses = new Map<string, number>();
  const assigned = new Map<string, number>();
  const calleeUses = new Map<string, number>();
  const rhsOf = new Map<string, ts.Expression>();
  const applyThis = new Map<string, ts.Expression | undefined>();
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n)) {
      uses.set(n.text, (uses.get(n.text) ?? 0) + 1);
      const p = n.parent;
      const asCallee = ts.isPropertyAccessExpression(p) && p.expression === n && p.name.text === "apply";
      const asThisOfApplyApply = ts.isCallExpression(p) && p.arguments[0] === n && ts.isPropertyAccessExpression(p.expression) &&
        ts.isPropertyAccessExpression(p.expression.expression) && ts.isIdentifier(p.expression.expression.expression) && p.expression.expression.expression.text === n.text;
      if (asCallee || asThisOfApplyApply) calleeUses.set(n.text, (calleeUses.get(n.text) ?? 0) + 1);
    }
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(n.left) && isTemp(n.left.text)) {
      const r = n.right;
      if ((ts.isPropertyAccessExpression(r) || ts.isElementAccessExpression(r)) && ts.isParenthesizedExpression(r.expression) &&
          ts.isBinaryExpression(r.expression.expression) && r.expression.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
          ts.isIdentifier(r.expression.expression.left) && isTemp(r.expression.expression.left.text)) {
        const key = ts.isPropertyAccessExpression(r)
          ? { kind: "name" as const, name: r.name }
          : ts.isLiteralExpression(r.argumentExpression) || ts.isIdentifier(r.argumentExpression) ? { kind: "expr" as const, expr: r.argumentExpression } : undefined;
        if (key) found.set(n.left.text, { kind: "m", obj: r.expression.expression.left, objAssign: r.expression.expression, key });
      } else if (isPath(r, isTemp) && (ts.isIdentifier(r) || ts.isPropertyAccessExpression(r))) {
        found.set(n.left.text, { kind: "path", path: r });
      }
      assigned.set(n.left.text, (assigned.get(n.left.text) ?? 0) + 1);
      rhsOf.set(n.left.text, r);
    }
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === "apply" && ts.isIdentifier(n.expression.expression)) {
      applied.add(n.expression.expression.text);
      applyThis.set(n.expression.expression.text, n.arguments[0]);
    }
    ts.forEachChild(n, visit);
  };
  visit(body.body);
  // Method bindings: set once, applied once. Paths: set once, then only read.
  const objects = new Set([...found.values()].filter((t) => t.kind === "m").map((t) => t.obj!.text));
  for (const t of found.values()) {
    const rhs = t.kind === "m" && t.objAssign && ts.isBinaryExpression(t.objAssign) ? t.objAssign.right : undefined;
    if (rhs && isPath(rhs, isTemp) && (ts.isIdentifier(rhs) || ts.isPropertyAccessExpression(rhs)) && uses.get(t.obj!.text) === 2 && assigned.get(t.obj!.text) === 1) t.objPath = rhs;
  }
  // `T1 = (T0 = path)`, `T2 = T1[K]`, `T2.apply(T0, ...)`: each temp set once and used once more.
  const once = (n: string) => assigned.get(n) === 1 && uses.get(n) === 2;
  for (const [t2, r] of rhsOf) {
    if (!ts.isElementAccessExpression(r) || !ts.isIdentifier(r.expression) || !applied.has(t2) || !once(t2)) continue;
    const t1 = r.expression.text;
    const a = rhsOf.get(t1);
    const inner = a && ts.isParenthesizedExpression(a) ? a.expression : undefined;
    if (!inner || !ts.isBinaryExpression(inner) || inner.operatorToken.kind !== ts.SyntaxKind.EqualsToken || !ts.isIdentifier(inner.left)) continue;
    const t0 = inner.left.text, path = inner.right;
    const self = applyThis.get(t2);
    if (!once(t1) || !once(t0) || !self || !ts.isIdentifier(self) || self.text !== t0 || !isPath(path, isTemp) || !(ts.isIdentifier(path) || ts.isPropertyAccessExpression(path))) continue;
    const k: CallTemp = { kind: "k", objPath: path, key: { kind: "expr", expr: r.argumentExpression }, calleeSlot: r.expression, receiverSlot: inner.left };
    found.set(t2, k);
    found.set(t1, { kind: "alias", path, forKey: k });
    found.set(t0, { kind: "alias", path });
  }
  for (const [name, t] of found) {
    if (t.kind === "k" || t.kind === "alias") continue;
    if (assigned.get(name) !== 1) found.delete(name);
    // A path temp is only ever called (T.apply / T.apply.apply(T, ...)); anything else keeps the saved value.
    else if (t.kind === "path" && (objects.has(name) || (uses.get(name) ?? 0) !== 1 + (calleeUses.get(name) ?? 0))) found.delete(name);
    else if (t.kind === "m" && (!applied.has(name) || uses.get(name) !== 2)) found.delete(name);
  }
  return found;
}
