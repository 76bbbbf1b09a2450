/**
 * Compiles the orchestrations and ctx helpers of one source file and splices
 * them into its emitted JavaScript.
 *
 * Per file: unsupported.ts checks each compiled function; the three lowerings
 * (async-to-generator, downlevel, hoist-frame) turn each into step-function
 * definitions, all registered in one table, `__nwc_fns`, under the hash of
 * the file's compiled code. The TypeScript emit of the file then runs with a
 * transformer that replaces `orchestration(name, asyncFn)`'s second argument
 * by `defineMachine({ ... })` and a helper's body by a call that starts a
 * branch.
 *
 * Invariant: a file with any diagnostic produces no output; a file without
 * orchestrations or helpers is emitted as TypeScript would, plus step counting
 * (transforms/step-counting.ts, applied by index.ts `emitPlanned`).
 */
import ts from "typescript";
import type { MachineGraph, UpgradeManifest } from "../runtime/machine.ts";
import { contentHash } from "../runtime/engine/hash.ts";
import type { NwcDiagnostic } from "./diagnostics.ts";
import type { Discovered } from "./discover.ts";
import { asyncToGenerator, LINE_MARKER } from "./transforms/async-to-generator.ts";
import { downlevel } from "./transforms/downlevel.ts";
import { buildGraph } from "./transforms/graph.ts";
import { FrameHoister, type StepFunctionDef } from "./transforms/hoist-frame.ts";
import { DEFAULT_ENGINE_SPECIFIER } from "./transforms/step-counting.ts";
import { checkUnsupported } from "./transforms/unsupported.ts";
import { withPrelude, type RawSourceMap } from "./source-map.ts";
import { buildUpgradeManifest } from "./versioning/manifest.ts";

export interface CompiledMachineInfo {
  name: string;
  file: string;
  version: string;
  graph: MachineGraph;
  upgrade: UpgradeManifest;
}

export interface FilePlan {
  fileName: string;
  /** Replacement text for each discovered function, by node. */
  machines: Map<ts.Node, { placeholder: string; code: string }>;
  helpers: Map<ts.Node, number>;
  /** Code inserted at the top of the emitted module. */
  prelude: string;
  /** For each line of the prelude, the source line its code came from (undefined: none). */
  preludeLines: (number | undefined)[];
  infos: CompiledMachineInfo[];
}

export interface EmitOptions {
  /** Module specifier of the engine in emitted code (default "nwc/engine"). */
  engineSpecifier?: string;
}

function lineOf(n: ts.Node): number {
  const sf = n.getSourceFile();
  return sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
}

interface Prepared {
  sf: ts.SourceFile;
  pres: { d: Discovered; index: number; pre: ReturnType<typeof asyncToGenerator> }[];
  nextIndex: () => number;
  count: () => number;
}

/** First lowering of one file's compiled functions, or its NWC3xxx diagnostics. */
function prepareFile(sf: ts.SourceFile, found: Discovered[], checker: ts.TypeChecker): { prepared?: Prepared; diagnostics: NwcDiagnostic[] } {
  const diagnostics: NwcDiagnostic[] = [];
  for (const d of found) diagnostics.push(...checkUnsupported(d.fn, checker));
  if (diagnostics.length > 0) return { diagnostics };
  let counter = 0;
  const nextIndex = () => counter++;
  const pres: Prepared["pres"] = [];
  for (const d of found) {
    const index = nextIndex();
    pres.push({ d, index, pre: asyncToGenerator(d.fn, checker, nextIndex) });
  }
  return { prepared: { sf, pres, nextIndex, count: () => counter }, diagnostics };
}

const FILE_BREAK = "__nwcFileBreak();";

/**
 * Plans several files: the first lowering per function, then ONE ES5 transpile
 * for all of them (a transpile per function or per file would dominate compile
 * time), then hoisting per function.
 */
export function planFiles(entries: { sf: ts.SourceFile; found: Discovered[] }[], checker: ts.TypeChecker, options: EmitOptions = {}): { plans: FilePlan[]; diagnostics: NwcDiagnostic[] } {
  const diagnostics: NwcDiagnostic[] = [];
  const prepared: Prepared[] = [];
  for (const e of entries) {
    const r = prepareFile(e.sf, e.found, checker);
    diagnostics.push(...r.diagnostics);
    if (r.prepared) prepared.push(r.prepared);
  }
  if (prepared.length === 0) return { plans: [], diagnostics };
  const joined = prepared.map((p) => p.pres.map((x) => x.pre.text).join("\n")).join(`\n${FILE_BREAK}\n`);
  const es5 = downlevel(joined);
  if (/__await\(|__asyncGenerator\(/.test(es5)) {
    throw new Error("nwc compiler: an async generator reached the lowering (internal error: an unsupported construct was not diagnosed)");
  }
  const out = ts.createSourceFile("step.js", es5, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const userNames = new Set<string>();
  const collect = (n: ts.Node): void => { if (ts.isIdentifier(n)) userNames.add(n.text); ts.forEachChild(n, collect); };
  collect(ts.createSourceFile("pre.ts", joined, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS));
  const groups: ts.ExpressionStatement[][] = [[]];
  for (const s of out.statements) {
    if (!ts.isExpressionStatement(s) || !ts.isCallExpression(s.expression) || !ts.isIdentifier(s.expression.expression)) continue;
    const callee = s.expression.expression.text;
    if (callee === "__nwcFileBreak") groups.push([]);
    else if (callee === "__nwcRoot") groups[groups.length - 1]!.push(s);
  }
  if (groups.length !== prepared.length) throw new Error("nwc compiler: unexpected ES5 output (file groups) (internal error)");
  const plans = prepared.map((p, k) => finishFile(p, out, groups[k]!, userNames, options, checker));
  return { plans, diagnostics };
}

/** Plans one file: diagnostics, or the code to splice in. */
export function planFile(sf: ts.SourceFile, found: Discovered[], checker: ts.TypeChecker, options: EmitOptions = {}): { plan?: FilePlan; diagnostics: NwcDiagnostic[] } {
  const { plans, diagnostics } = planFiles([{ sf, found }], checker, options);
  return { plan: plans[0], diagnostics };
}

function finishFile(p: Prepared, out: ts.SourceFile, rootsOut: ts.ExpressionStatement[], userNames: Set<string>, options: EmitOptions, checker: ts.TypeChecker): FilePlan {
  const { sf, pres, nextIndex } = p;
  const defs: StepFunctionDef[] = [];
  const helpersUsed = new Set<string>();
  const templateSites = { count: 0 };
  const roots: { d: Discovered; index: number }[] = [];
  if (rootsOut.length !== pres.length) throw new Error(`nwc compiler: unexpected ES5 output for ${sf.fileName} (internal error)`);
  const awaitTexts = new Map<number, string[]>();
  for (const q of pres) for (const [line, texts] of q.pre.awaits) awaitTexts.set(line, [...(awaitTexts.get(line) ?? []), ...texts]);
  pres.forEach(({ d, index, pre }, k) => {
    const fnExpr = (rootsOut[k]!.expression as ts.CallExpression).arguments[0];
    if (!fnExpr || !ts.isFunctionExpression(fnExpr)) throw new Error(`nwc compiler: unexpected ES5 output for ${d.name} (internal error)`);
    const names = new Map<number, { name: string; line: number }>([[index, { name: d.name, line: lineOf(d.fn) }]]);
    for (const c of pre.closures) names.set(c.index, { name: `${d.name}/${c.name}`, line: c.line });
    const hoister = new FrameHoister(out, names, userNames, nextIndex);
    hoister.templateSites = templateSites;
    hoister.process(fnExpr, 0, index, []);
    defs.push(...hoister.defs);
    hoister.helpersUsed.forEach((h) => helpersUsed.add(h));
    roots.push({ d, index });
  });
  defs.sort((a, b) => a.index - b.index);
  if (defs.length !== p.count() || defs.some((d, i) => d.index !== i)) throw new Error("nwc compiler: step function table has gaps (internal error)");
  // Hashes (module and machine versions) ignore the line markers: moving code to other lines is not a new machine.
  const plain = new Map(defs.map((d) => [d, stripLineMarkers(d.text).text]));
  const moduleHash = contentHash(defs.map((d) => plain.get(d)!).join("\n"));
  const engine = JSON.stringify(options.engineSpecifier ?? DEFAULT_ENGINE_SPECIFIER);
  const marked =
    `import * as __nwc_engine from ${engine};\n` +
    (helpersUsed.size ? `const { ${[...helpersUsed].sort().join(", ")} } = __nwc_engine.tslib;\n` : "") +
    (templateSites.count ? "const __nwc_sites = [];\n" : "") +
    `const __nwc_fns = __nwc_engine.registerModule(${JSON.stringify(moduleHash)}, [\n${defs.map((d) => d.text).join(",\n")}\n]);\n`;
  const { text: prelude, lines: preludeLines } = stripLineMarkers(marked);

  // The source function of each step function, for the upgrade manifests (compiler/versioning/).
  const sources = new Map<number, ts.Node | undefined>();
  for (const { d, index, pre } of pres) {
    sources.set(index, d.fn);
    for (const c of pre.closures) sources.set(c.index, c.node);
  }
  const plan: FilePlan = { fileName: sf.fileName, machines: new Map(), helpers: new Map(), prelude, preludeLines, infos: [] };
  for (const { d, index } of roots) {
    if (d.kind === "helper") {
      plan.helpers.set(d.fn, index);
      continue;
    }
    const family = defs.filter((x) => isWithin(x, index, defs));
    const version = contentHash(family.map((x) => plain.get(x)!).join("\n"));
    const graph = buildGraph(family.map((x) => ({ index: x.index, name: x.name, flow: x.flow, root: x.index === index })), awaitTexts);
    const upgrade = buildUpgradeManifest({
      moduleHash, name: d.name, rootIndex: index, checker, sources,
      functions: family.map((x) => ({ index: x.index, name: x.name, parent: x.parent, text: plain.get(x)! })),
    });
    const placeholder = `__nwc_machine_${index}__`;
    const code = `__nwc_engine.defineMachine({ name: ${JSON.stringify(d.name)}, root: __nwc_fns[${index}], version: ${JSON.stringify(version)}, graph: ${JSON.stringify(graph)}, upgrade: ${JSON.stringify(upgrade)}, source: import.meta.url })`;
    if (!d.call) throw new Error(`nwc compiler: orchestration ${d.name} has no call site to rewrite (internal error)`);
    plan.machines.set(d.call.arguments[1]!, { placeholder, code });
    plan.infos.push({ name: d.name, file: sf.fileName, version, graph, upgrade });
  }
  return plan;
}

function isWithin(def: StepFunctionDef, root: number, all: StepFunctionDef[]): boolean {
  let cur: StepFunctionDef | undefined = def;
  while (cur) {
    if (cur.index === root) return true;
    cur = cur.parent === undefined ? undefined : all.find((x) => x.index === cur!.parent);
  }
  return false;
}

/** The emit transformer: placeholders for machines, branch-starting bodies for helpers. */
export function spliceTransformer(plans: Map<string, FilePlan>): ts.TransformerFactory<ts.SourceFile> {
  return (context) => (sf) => {
    const plan = plans.get(sf.fileName);
    if (!plan) return sf;
    const f = context.factory;
    const helperBody = (index: number) => f.createBlock([f.createReturnStatement(f.createCallExpression(
      f.createPropertyAccessExpression(f.createIdentifier("__nwc_engine"), "callCompiled"), undefined,
      [f.createElementAccessExpression(f.createIdentifier("__nwc_fns"), index), f.createIdentifier("arguments")]))], true);
    const noAsync = (mods: readonly ts.ModifierLike[] | undefined) => mods?.filter((m) => m.kind !== ts.SyntaxKind.AsyncKeyword);
    const visit = (node: ts.Node): ts.Node => {
      const original = ts.getOriginalNode(node);
      const m = plan.machines.get(original);
      if (m) return f.createIdentifier(m.placeholder);
      const h = plan.helpers.get(original);
      if (h !== undefined) {
        if (ts.isFunctionDeclaration(node)) return f.updateFunctionDeclaration(node, noAsync(node.modifiers), undefined, node.name, undefined, node.parameters, undefined, helperBody(h));
        if (ts.isFunctionExpression(node) || ts.isArrowFunction(node)) return f.createFunctionExpression(undefined, undefined, undefined, undefined, node.parameters, undefined, helperBody(h));
        if (ts.isMethodDeclaration(node)) return f.updateMethodDeclaration(node, noAsync(node.modifiers), undefined, node.name, undefined, undefined, node.parameters, undefined, helperBody(h));
      }
      return ts.visitEachChild(node, visit, context);
    };
    return ts.visitEachChild(sf, visit, context);
  };
}

/** Puts the prelude and machines into the emitted JavaScript of a planned file. */
export function finishOutput(js: string, plan: FilePlan): string {
  let out = plan.prelude + js;
  for (const { placeholder, code } of plan.machines.values()) {
    if (!out.includes(placeholder)) throw new Error(`nwc compiler: lost the call site of a machine in ${plan.fileName} (internal error)`);
    out = out.replace(placeholder, () => code);
  }
  return out;
}

/**
 * Removes the line markers of async-to-generator.ts (`__nwcLine(n);` becomes
 * `void 0;`, so no line moves) and says, for each line of `text`, the source
 * line of the nearest marker above it within the same step function (a step
 * function's first lines belong to the line it was declared on).
 */
export function stripLineMarkers(text: string): { text: string; lines: (number | undefined)[] } {
  const lines: (number | undefined)[] = [];
  let current: number | undefined;
  const out = text.split("\n").map((line) => {
    const def = /^\{ name: "(?:[^"\\]|\\.)*", line: (\d+),/.exec(line);
    if (def) current = Number(def[1]);
    let mapped = current;
    const stripped = line.replace(MARKER, (_, n: string, offset: number) => {
      current = Number(n);
      // Code before the marker on the same line belongs to the earlier line.
      if (line.slice(0, offset).trim() === "" || mapped === undefined) mapped = current;
      return "void 0";
    });
    lines.push(mapped);
    return stripped;
  });
  return { text: out.join("\n"), lines: lines.slice(0, text.endsWith("\n") ? -1 : undefined) };
}

const MARKER = new RegExp(`\\b${LINE_MARKER}\\((\\d+)\\)`, "g");

/**
 * TypeScript's source map of a planned file, rewritten for the file
 * finishOutput makes: the prelude's lines map to the source lines of the step
 * functions' code, and the rest moves down below the prelude.
 */
export function finishSourceMap(mapText: string, plan: FilePlan): string {
  return JSON.stringify(withPrelude(JSON.parse(mapText) as RawSourceMap, plan.preludeLines));
}
