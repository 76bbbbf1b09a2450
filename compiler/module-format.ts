/**
 * Whether TypeScript emits a file as CommonJS (by the `module` option and, for
 * Node16/NodeNext, the file's package.json `type` or extension). Orchestrations
 * compile only into ES modules; the engine import of step counting is an ES
 * import too.
 */
import ts from "typescript";

export function emitsCommonJs(program: ts.Program, sf: ts.SourceFile): boolean {
  const options = program.getCompilerOptions();
  const format = (ts.sys ? ts.getImpliedNodeFormatForFile(sf.fileName as ts.Path, undefined, ts.sys as ts.ModuleResolutionHost, options) : undefined) ?? sf.impliedNodeFormat;
  const mk = options.module ?? ts.ModuleKind.ESNext;
  return mk === ts.ModuleKind.CommonJS || mk === ts.ModuleKind.AMD || mk === ts.ModuleKind.UMD || mk === ts.ModuleKind.System ||
    ((mk === ts.ModuleKind.Node16 || mk === ts.ModuleKind.NodeNext) && format === ts.ModuleKind.CommonJS);
}
