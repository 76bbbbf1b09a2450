/**
 * The page's side of the compile worker: `compile(text)` resolves with the
 * compiler's view of the program. Only the latest request matters to the
 * editor, so an older answer that arrives late is dropped by the caller
 * comparing `requestId`s.
 */
import type { CompileView } from "./compile-core.ts";

export type { CompileView } from "./compile-core.ts";
export { PROGRAM_FILE } from "./compile-core.ts";

let worker: Worker | undefined;
let nextId = 1;
const waiting = new Map<number, (v: CompileView) => void>();

function getWorker(): Worker {
  if (!worker) {
    worker = new Worker(new URL("./compile-worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = (e: MessageEvent<{ id: number; view: CompileView }>) => {
      waiting.get(e.data.id)?.(e.data.view);
      waiting.delete(e.data.id);
    };
  }
  return worker;
}

export function compile(text: string): Promise<CompileView & { requestId: number }> {
  const id = nextId++;
  return new Promise((resolve) => {
    waiting.set(id, (view) => resolve({ ...view, requestId: id }));
    getWorker().postMessage({ id, text });
  });
}
