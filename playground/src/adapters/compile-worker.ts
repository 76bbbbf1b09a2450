/**
 * The compile worker: runs the compiler off the page's main thread so typing
 * stays smooth while the type checker works. Message in: { id, text };
 * message out: { id, view }.
 */
import { compileProgram } from "./compile-core.ts";

self.onmessage = async (e: MessageEvent<{ id: number; text: string }>) => {
  const view = await compileProgram(e.data.text);
  (self as unknown as Worker).postMessage({ id: e.data.id, view });
};
