/**
 * A callee saved across an await (compiler/transforms/hoist-frame.ts). JavaScript
 * reads `f` or `o.m` before it evaluates the arguments, so a call whose arguments
 * await keeps the function from before the await, whatever a concurrent branch
 * assigns meanwhile. The frame keeps that function when it can (a compiled async
 * closure, a built-in); any other function cannot live in a frame, and the call
 * reads it again: such a function is a module-level one or a method of a
 * prototype, which orchestration code cannot reassign (a write to it would be a
 * write to module-level state), or an own property of an object in the frame,
 * which would fail the frame with FrameNotSerializable, not change the call.
 */
import { closureTag } from "./rt.ts";
import { isFrameBuiltin } from "./host-values.ts";

/** An instance of a class of its own, so only its host codec (host-values.ts) stores it. */
class ReadAgain {}
export const READ_AGAIN: object = Object.freeze(new ReadAgain());

/** The value to keep for a callee: itself, if the frame can hold it, else READ_AGAIN. */
export function savedCallee(fn: unknown): unknown {
  if (typeof fn === "function") return closureTag(fn) || isFrameBuiltin(fn) ? fn : READ_AGAIN;
  return typeof fn === "object" && fn !== null ? READ_AGAIN : fn;
}
