/**
 * Builds TypeScript programs for the compiler: over in-memory sources (the
 * browser-safe path: the playground and tests) or over a tsconfig (Node).
 * "nwc" resolves to the author API declarations (runtime/api.ts).
 *
 * Invariant: no `node:` import here: file access goes through `ts.sys`
 * when it exists (Node) or through caller-supplied files (browser).
 */
import ts from "typescript";
import { fileUrlPath, isBuilt, ownDeclarationUrl } from "../runtime/package-layout.ts";

/** Path of the declarations of one of this package's modules (its source, or its .d.ts when built); undefined outside file: URLs. */
function ownDeclarationPath(sourceRelative: string): string | undefined {
  try {
    return fileUrlPath(ownDeclarationUrl(sourceRelative, import.meta.url));
  } catch {
    return undefined;
  }
}

/** This package's runtime folder: its files are parsed once per process and shared by every program. */
const OWN_ROOT = ownDeclarationPath("../runtime/");
/** "nwc" resolves to a source file in a checkout and to a declaration file in the built package. */
const NWC_EXTENSION = isBuilt(import.meta.url) ? ts.Extension.Dts : ts.Extension.Ts;

export const DEFAULT_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ["lib.es2023.d.ts", "lib.esnext.disposable.d.ts"],
  strict: true,
  skipLibCheck: true,
  allowImportingTsExtensions: true,
  noEmit: false,
  types: [],
  noUnusedLocals: false,
};

export interface MemoryProgramOptions {
  /** Extra in-memory files (e.g. lib .d.ts files and the author API in a browser). */
  files?: Record<string, string>;
  /** Path "nwc" resolves to (default: runtime/api.ts of this package). */
  nwcPath?: string;
  compilerOptions?: ts.CompilerOptions;
  /**
   * Type-check the sources as files of a Node project would be (compile on
   * load, deploy bundles): "nwc" is the package's whole public surface (host
   * and client too) and the @types packages visible from the working
   * directory apply (console, process under @types/node). Slower per program;
   * off by default so tests and the playground check against the author API alone.
   */
  nodeProject?: boolean;
}

export function createMemoryProgram(sources: { fileName: string; text: string }[], options: MemoryProgramOptions = {}): ts.Program {
  const sys = ts.sys as ts.System | undefined;
  const nodeProject = options.nodeProject === true && sys !== undefined;
  const nodeDefaults: ts.CompilerOptions = nodeProject ? { types: ["*"] } : {};
  const compilerOptions = { ...DEFAULT_OPTIONS, ...nodeDefaults, ...options.compilerOptions };
  const memory = new Map<string, string>(Object.entries(options.files ?? {}));
  for (const s of sources) memory.set(s.fileName, s.text);
  const nwcPath = options.nwcPath ?? ownDeclarationPath(nodeProject ? "../runtime/index.ts" : "../runtime/api.ts");
  if (!nwcPath) throw new Error("compileSource: pass options.nwcPath and options.files (the author API and lib files) outside Node");
  const read = (name: string): string | undefined => memory.get(name) ?? sys?.readFile(name);
  const libDir = sys ? ts.getDefaultLibFilePath(compilerOptions).replace(/[\\/][^\\/]*$/, "") : "/lib";
  const cache = sharedLibCache;
  const host: ts.CompilerHost = {
    getSourceFile(fileName, languageVersion) {
      const isLib = fileName.startsWith(libDir) || fileName.includes("/node_modules/");
      if (isLib && cache.has(fileName)) return cache.get(fileName);
      const text = read(fileName);
      if (text === undefined) return undefined;
      const sf = ts.createSourceFile(fileName, text, languageVersion);
      // nwc's own sources never change while a process runs; the user's always may.
      const ownSource = OWN_ROOT !== undefined && fileName.startsWith(OWN_ROOT) && !memory.has(fileName);
      if (isLib || ownSource || fileName === nwcPath) cache.set(fileName, sf);
      return sf;
    },
    getDefaultLibFileName: (o) => (sys ? ts.getDefaultLibFilePath(o) : "/lib/lib.d.ts"),
    writeFile: () => {},
    getCurrentDirectory: () => (sys ? sys.getCurrentDirectory() : "/"),
    getDirectories: (path) => sys?.getDirectories(path) ?? [],
    // Without ts.sys (a browser) this stays undefined: TypeScript then assumes every
    // directory exists and resolves relative imports between the in-memory files.
    directoryExists: sys ? (path) => sys.directoryExists(path) : undefined,
    fileExists: (name) => memory.has(name) || !!sys?.fileExists(name),
    readFile: read,
    getCanonicalFileName: (n) => n,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    resolveModuleNameLiterals(literals, containingFile) {
      return literals.map((lit) => {
        if (lit.text === "nwc") {
          const extension = options.nwcPath === undefined ? NWC_EXTENSION : nwcPath.endsWith(".d.ts") ? ts.Extension.Dts : ts.Extension.Ts;
          return { resolvedModule: { resolvedFileName: nwcPath, extension, isExternalLibraryImport: false } };
        }
        // Resolutions from nwc's own files and from packages never change within a process.
        const stable = (OWN_ROOT !== undefined && containingFile.startsWith(OWN_ROOT)) || containingFile.includes("/node_modules/");
        const key = `${containingFile}\0${lit.text}`;
        const known = stable ? sharedResolutions.get(key) : undefined;
        if (known) return known;
        const resolved = ts.resolveModuleName(lit.text, containingFile, compilerOptions, host);
        if (stable) sharedResolutions.set(key, resolved);
        return resolved;
      });
    },
  };
  return ts.createProgram({ rootNames: sources.map((s) => s.fileName), options: compilerOptions, host });
}

/** Parsed lib and API files are immutable: sharing them across programs makes repeated compiles fast. */
const sharedLibCache = new Map<string, ts.SourceFile>();
const sharedResolutions = new Map<string, ts.ResolvedModuleWithFailedLookupLocations>();
