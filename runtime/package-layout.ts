/**
 * Where this package's own modules are. nwc runs either from its TypeScript
 * sources (a checkout, under tsx) or from the compiled `dist/` (an installed
 * package); a module's own URL tells which: it ends in ".ts" in the first
 * layout and in ".js" in the second. Other own modules are named as sources
 * ("../compiler/index.ts") and mapped here, so that one place knows both layouts.
 *
 * Invariant: no `node:` import (the compiler core and the playground use it).
 */

/** Whether the module at `from` (its import.meta.url) runs from the compiled package. */
export function isBuilt(from: string): boolean {
  return from.endsWith(".js");
}

/** The URL of the own module `sourceRelative` (a ".ts" path relative to `from`) in the layout `from` runs in. */
export function ownModuleUrl(sourceRelative: string, from: string): URL {
  const url = new URL(sourceRelative, from);
  if (isBuilt(from)) url.pathname = url.pathname.replace(/\.ts$/, ".js");
  return url;
}

/** The URL of the declarations of the own module `sourceRelative`: the source itself, or its ".d.ts" when built. */
export function ownDeclarationUrl(sourceRelative: string, from: string): URL {
  const url = new URL(sourceRelative, from);
  if (isBuilt(from)) url.pathname = url.pathname.replace(/\.ts$/, ".d.ts");
  return url;
}

/** A file: URL as a path (undefined for other schemes, e.g. a bundle served over http). */
export function fileUrlPath(url: URL): string | undefined {
  if (url.protocol !== "file:") return undefined;
  return decodeURIComponent(url.pathname).replace(/^\/([A-Za-z]:)/, "$1");
}
