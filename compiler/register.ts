/**
 * `node --import nwc/register app.ts`, or `await import("nwc/register")` in a
 * test before importing a file: installs the module hooks of
 * register-hooks.ts, which compile TypeScript files containing orchestrations
 * with the nwc compiler on load (other .ts files: types stripped).
 * Error stacks point at the .ts sources (source maps are switched on).
 * Invariant: registering twice is harmless (the second call does nothing).
 */
import { register } from "node:module";

const KEY = Symbol.for("nwc.register");
if (!(globalThis as any)[KEY]) {
  (globalThis as any)[KEY] = true;
  // Stack traces name the lines of the user's .ts files (compiled files carry inline source maps).
  process.setSourceMapsEnabled(true);
  register(new URL("./register-hooks.ts", import.meta.url).href.replace(/\.ts$/, import.meta.url.endsWith(".js") ? ".js" : ".ts"), import.meta.url);
}
