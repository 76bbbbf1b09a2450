/**
 * The temporal dead zone of a `let`/`const` that a function may use before its
 * declaration ran (compiler/transforms/tdz.ts): the binding holds UNINITIALIZED
 * from the entry of its block until its declaration, and checked uses throw the
 * ReferenceError the language throws. The sentinel may sit in the frame across
 * an await (host-values.ts stores it by name).
 */
/** An instance of a class of its own: the codec refuses it as data, so host-values.ts alone stores it (by name, keeping its identity). */
class Uninitialized {}
export const UNINITIALIZED: object = Object.freeze(new Uninitialized());

function deadZone(name: string): ReferenceError {
  return new ReferenceError(`Cannot access '${name}' before initialization`);
}

export function checkedRead(value: unknown, name: string): unknown {
  if (value === UNINITIALIZED) throw deadZone(name);
  return value;
}

/** `x = v`: the value is evaluated first, then the binding checked. */
export function checkedWrite(old: unknown, value: unknown, name: string): unknown {
  if (old === UNINITIALIZED) throw deadZone(name);
  return value;
}
