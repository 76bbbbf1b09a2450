/**
 * The helpers TypeScript's ES5 lowering calls from compiled step functions
 * (object spread, rest, array spread, tagged templates). Compiled modules import
 * them from here instead of inlining them.
 * Invariant: each helper has the ES2022 semantics of the syntax it stands for, not
 * tslib's approximation: spread and rest copy own enumerable string and symbol keys
 * as data properties (an own `__proto__` key stays a key), and a template's strings
 * arrays are frozen (the emit caches one per call site).
 */

/** CopyDataProperties: own enumerable keys, strings then symbols, defined (never assigned) on `target`. */
function copyData(target: any, source: any, excluded?: readonly (string | symbol)[]): void {
  if (source === null || source === undefined) return;
  const from = Object(source);
  for (const key of Reflect.ownKeys(from)) {
    if (excluded && excluded.indexOf(key) >= 0) continue;
    const desc = Object.getOwnPropertyDescriptor(from, key);
    if (desc && desc.enumerable) Object.defineProperty(target, key, { value: from[key], writable: true, enumerable: true, configurable: true });
  }
}

/** `{ ...a, b: 1 }` is lowered to `__assign(__assign({}, a), { b: 1 })`. */
export const __assign: (...args: any[]) => any = (t: any, ...sources: any[]) => {
  for (const s of sources) copyData(t, s);
  return t;
};

/** `const { a, ...rest } = s` is lowered to `rest = __rest(s, ["a"])`. */
export function __rest(s: any, e: (string | symbol)[]): any {
  const t: any = {};
  copyData(t, s, e);
  return t;
}

export function __spreadArray(to: any[], from: any, pack?: boolean): any[] {
  if (pack || arguments.length === 2) {
    let ar: any[] | undefined;
    for (let i = 0, l = from.length; i < l; i++) {
      if (ar || !(i in from)) {
        if (!ar) ar = Array.prototype.slice.call(from, 0, i);
        ar[i] = from[i];
      }
    }
    return to.concat(ar || Array.prototype.slice.call(from));
  }
  return to.concat(from);
}

export function __makeTemplateObject(cooked: any, raw: any): any {
  Object.defineProperty(cooked, "raw", { value: Object.freeze(raw) });
  return Object.freeze(cooked);
}

export const tslib = { __assign, __rest, __spreadArray, __makeTemplateObject };
