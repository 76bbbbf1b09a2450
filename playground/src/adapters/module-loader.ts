/**
 * Runtime adapter: evaluates the compiler's JavaScript output in the page and
 * collects what it defines. Imports of "nwc" and "nwc/engine" are rewritten to
 * small shim modules that re-export the page's copy of the author API and the
 * engine; `orchestration`, `activity` and `entity` are wrapped to record every
 * definition the program makes, exported or not. Each load is a fresh module
 * evaluation: loading again after a crash is a new process's view.
 *
 * Invariant: the program can import nothing but "nwc", "nwc/engine" and its
 * own outputs; any other import is an error that names it.
 */
import * as api from "../../../runtime/api.ts";
import * as codec from "../../../runtime/codec.ts";
import * as engine from "../../../runtime/engine/index.ts";
import type { Machine } from "../../../runtime/machine.ts";
import type { PlaygroundApp } from "../sim/runtime.ts";

export interface LoadedProgram {
  machines: Map<string, Machine>;
  /** Every definition the program made, for the page's host. */
  app: PlaygroundApp;
  /** Orchestrations defined without a compiled machine (the compiler did not rewrite them). */
  uncompiled: string[];
}

interface Recorder {
  orchestrations: api.Orchestration[];
  activities: api.Activity[];
  entities: api.Entity[];
}

const GLOBAL_KEY = "__nwcPlaygroundModules";
let loadCounter = 0;

/**
 * Rewrites the module specifiers of the program's import and export-from
 * declarations (statements at the start of a line, as TypeScript emits them);
 * strings elsewhere, like `"from":"start"` in a graph literal, are left alone.
 */
export function rewriteImports(text: string, resolve: (specifier: string) => string): string {
  const replace = (_m: string, head: string, quote: string, spec: string) => `${head}${quote}${resolve(spec)}${quote}`;
  return text
    .replace(/^(\s*(?:import|export)\b[^"';]*?\bfrom\s*)(["'])([^"']+)\2/gm, replace)
    .replace(/^(\s*import\s*)(["'])([^"']+)\2/gm, replace);
}

function shimSource(id: string, names: string[]): string {
  const valid = names.filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== "default");
  return `const m = globalThis.${GLOBAL_KEY}[${JSON.stringify(id)}];\nexport const { ${valid.join(", ")} } = m;\n`;
}

function blobUrl(text: string): string {
  return URL.createObjectURL(new Blob([text], { type: "text/javascript" }));
}

/** Loads `outputs` (the compiler's emitted files) with `entry` as the main module. */
export async function loadProgram(outputs: { fileName: string; text: string }[], entry: string): Promise<LoadedProgram> {
  const main = outputs.find((o) => o.fileName === entry) ?? outputs.find((o) => /\.m?js$/.test(o.fileName));
  if (!main) throw new Error(`the compiler emitted no JavaScript (outputs: ${outputs.map((o) => o.fileName).join(", ") || "none"})`);
  const rec: Recorder = { orchestrations: [], activities: [], entities: [] };
  const wrapped = {
    ...api,
    registerClass: codec.registerClass,
    CodecError: codec.CodecError,
    orchestration: (...a: Parameters<typeof api.orchestration>) => { const o = api.orchestration(...a); rec.orchestrations.push(o); return o; },
    activity: (...a: Parameters<typeof api.activity>) => { const x = api.activity(...a); rec.activities.push(x); return x; },
    entity: (...a: Parameters<typeof api.entity>) => { const e = api.entity(...a); rec.entities.push(e as api.Entity); return e; },
  };
  const id = `load${++loadCounter}`;
  const modules = ((globalThis as any)[GLOBAL_KEY] ??= {}) as Record<string, unknown>;
  modules[`${id}:nwc`] = wrapped;
  modules[`${id}:nwc/engine`] = engine;
  const urls: string[] = [
    blobUrl(shimSource(`${id}:nwc`, Object.keys(wrapped))),
    blobUrl(shimSource(`${id}:nwc/engine`, Object.keys(engine))),
  ];
  const resolve = (spec: string): string => {
    if (spec === "nwc") return urls[0]!;
    if (spec === "nwc/engine") return urls[1]!;
    throw new Error(`the playground cannot load the import "${spec}": a program here may import only "nwc"`);
  };
  const url = blobUrl(rewriteImports(main.text, resolve));
  urls.push(url);
  try {
    await import(/* @vite-ignore */ url);
  } finally {
    for (const u of urls) URL.revokeObjectURL(u);
    delete modules[`${id}:nwc`];
    delete modules[`${id}:nwc/engine`];
  }
  return collect(rec);
}

export function collect(rec: Recorder): LoadedProgram {
  const machines = new Map<string, Machine>();
  const uncompiled: string[] = [];
  for (const o of rec.orchestrations) {
    if (o.machine) machines.set(o.name, o.machine);
    else uncompiled.push(o.name);
  }
  return {
    machines,
    app: { orchestrations: rec.orchestrations.filter((o) => o.machine), activities: [...rec.activities], entities: [...rec.entities] },
    uncompiled,
  };
}
