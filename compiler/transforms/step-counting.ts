/**
 * Step counting: puts `__nwc_engine.tick(line)` at the top of every loop body
 * and every sync function body, so that the runtime's step budget
 * (runtime/engine/budget.ts) bounds the synchronous work of an orchestration
 * step or an entity operation: an endless loop or a runaway recursion fails
 * that step or operation instead of holding its partition for ever.
 *
 * Two users: async-to-generator.ts counts inside orchestration bodies
 * (`countNode`, `tick(line)`); `stepCountingTransformer` counts in the rest of
 * every user module (`tick(line, "file.ts")`), which is where module-level
 * helpers, helpers of other modules and entity operations live. A module is
 * counted on its own, by syntax, not by what calls it: its output then does
 * not depend on which modules import it, so compile on load, `nwc build` and
 * `nwc deploy` emit the same code for it. Outside a step or an operation a
 * count is one comparison (no budget is active).
 *
 * Before:  const sum = (xs) => { let t = 0; for (const x of xs) t += x; return t; };
 * After:   const sum = (xs) => { __nwc_engine.tick(1, "m.ts"); let t = 0;
 *            for (const x of xs) { __nwc_engine.tick(1, "m.ts"); t += x; } return t; };
 *
 * Invariant: counting adds statements only; it never moves code to another
 * line, so source maps and stack traces stay as they were. Async function
 * bodies are not counted (a resumption is a job, counted by the engine), nor
 * constructors (a statement before `super()` would change TypeScript's class
 * field emit); loops inside them are.
 */
import ts from "typescript";

/** Module specifier of the engine in emitted code, unless EmitOptions.engineSpecifier says otherwise. */
export const DEFAULT_ENGINE_SPECIFIER = "nwc/engine";

/** The identifier compiled code reaches the engine by (emit.ts imports it under this name). */
export const ENGINE_NAME = "__nwc_engine";

function isAsync(n: ts.Node): boolean {
  return !!ts.canHaveModifiers(n) && !!ts.getModifiers(n)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
}

/** `__nwc_engine.tick(line[, file])`. */
function tickStatement(f: ts.NodeFactory, line: number, file: string | undefined): ts.Statement {
  const args: ts.Expression[] = [f.createNumericLiteral(line)];
  if (file !== undefined) args.push(f.createStringLiteral(file));
  return f.createExpressionStatement(f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier(ENGINE_NAME), "tick"), undefined, args));
}

/** `body` as a block that counts first (a loop body, a function body). */
export function countedBlock(f: ts.NodeFactory, body: ts.Statement, line: number, file?: string): ts.Block {
  return f.createBlock([tickStatement(f, line, file), ...(ts.isBlock(body) ? body.statements : [body])], true);
}

/**
 * `node` (the visited form of `original`) with a count at the top of its body
 * if it is a loop or a sync function; otherwise `node` itself.
 */
export function countNode(f: ts.NodeFactory, original: ts.Node, node: ts.Node, line: number, file?: string): ts.Node {
  const counted = (body: ts.Statement): ts.Block => countedBlock(f, body, line, file);
  if (ts.isForStatement(node)) return f.updateForStatement(node, node.initializer, node.condition, node.incrementor, counted(node.statement));
  if (ts.isForInStatement(node)) return f.updateForInStatement(node, node.initializer, node.expression, counted(node.statement));
  if (ts.isForOfStatement(node)) return f.updateForOfStatement(node, node.awaitModifier, node.initializer, node.expression, counted(node.statement));
  if (ts.isWhileStatement(node)) return f.updateWhileStatement(node, node.expression, counted(node.statement));
  if (ts.isDoStatement(node)) return f.updateDoStatement(node, counted(node.statement), node.expression);
  if (isAsync(original)) return node;
  if (ts.isFunctionDeclaration(node) && node.body) return f.updateFunctionDeclaration(node, node.modifiers, node.asteriskToken, node.name, node.typeParameters, node.parameters, node.type, counted(node.body));
  if (ts.isFunctionExpression(node)) return f.updateFunctionExpression(node, node.modifiers, node.asteriskToken, node.name, node.typeParameters, node.parameters, node.type, counted(node.body));
  if (ts.isMethodDeclaration(node) && node.body) return f.updateMethodDeclaration(node, node.modifiers, node.asteriskToken, node.name, node.questionToken, node.typeParameters, node.parameters, node.type, counted(node.body));
  if (ts.isArrowFunction(node)) {
    const body = ts.isBlock(node.body) ? counted(node.body) : f.createBlock([tickStatement(f, line, file), f.createReturnStatement(node.body)], true);
    return f.updateArrowFunction(node, node.modifiers, node.typeParameters, node.parameters, node.type, node.equalsGreaterThanToken, body);
  }
  return node;
}

/** The name a module's counts carry: its base name (short, and the same on every machine the build runs on). */
export function countLabel(fileName: string): string {
  return fileName.replace(/^.*[\\/]/, "");
}

/**
 * Counts the loops and sync functions of a whole module. Nodes the compiler
 * made (orchestration bodies already replaced by emit.ts, which count on
 * their own) have no source position and are left alone. `counted.value`
 * says whether anything was counted, i.e. whether the module needs the
 * engine import (`engineImport`).
 */
export function stepCountingTransformer(counted: { value: boolean } = { value: false }): ts.TransformerFactory<ts.SourceFile> {
  return (context) => (sf) => {
    if (sf.isDeclarationFile) return sf;
    const f = context.factory;
    // The parsed file: an earlier transformer (emit.ts's splice) hands on an updated copy.
    const source = ts.getOriginalNode(sf) as ts.SourceFile;
    const file = countLabel(source.fileName);
    const visit = (node: ts.Node): ts.Node => {
      const visited = ts.visitEachChild(node, visit, context);
      const original = ts.getOriginalNode(node);
      if (original.pos < 0 || original.getSourceFile() !== source || ts.isConstructorDeclaration(original)) return visited;
      const line = source.getLineAndCharacterOfPosition(original.getStart(source)).line + 1;
      const out = countNode(f, original, visited, line, file);
      if (out !== visited) counted.value = true;
      return out;
    };
    return ts.visitEachChild(sf, visit, context);
  };
}

/**
 * Adds the engine import to an emitted ES module, on its first line (after a
 * hashbang), so that no line moves and the source map stays right.
 */
export function withEngineImport(js: string, engineSpecifier: string): string {
  const statement = `import * as ${ENGINE_NAME} from ${JSON.stringify(engineSpecifier)}; `;
  if (!js.startsWith("#!")) return statement + js;
  const eol = js.indexOf("\n");
  return eol < 0 ? `${js}\n${statement}` : js.slice(0, eol + 1) + statement + js.slice(eol + 1);
}
