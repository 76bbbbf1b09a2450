/**
 * Turns "cannot write here" system errors into StoreUnwritable, which the
 * host does not retry: a read-only file system or a directory this process
 * has no permission on stays so, and retrying would hang `nwc run` silently.
 */
import { dirname } from "node:path";
import { StoreUnwritable } from "../errors.ts";

const CODES = new Set(["EROFS", "EACCES", "EPERM"]);

/** `error` as StoreUnwritable if it is a permission or read-only error, else unchanged. */
export function asUnwritable(error: unknown, fallbackDir: string): unknown {
  const e = error as NodeJS.ErrnoException;
  if (!e || !CODES.has(e.code ?? "")) return error;
  return new StoreUnwritable(e.path ? dirname(e.path) : fallbackDir, e.code!, error);
}
