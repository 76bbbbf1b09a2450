/**
 * The helpers TypeScript's ES5 lowering calls from compiled step functions
 * (object spread, rest, array spread, tagged templates), with tslib's
 * semantics. Compiled modules import them from here instead of inlining them.
 * Invariant: each helper behaves exactly as tslib's of the same name.
 */
export const __assign: (...args: any[]) => any = (t: any, ...sources: any[]) => {
  for (const s of sources) for (const p in s) if (Object.prototype.hasOwnProperty.call(s, p)) t[p] = s[p];
  return t;
};

export function __rest(s: any, e: (string | symbol)[]): any {
  const t: any = {};
  for (const p in s) if (Object.prototype.hasOwnProperty.call(s, p) && e.indexOf(p) < 0) t[p] = s[p];
  if (s != null && typeof Object.getOwnPropertySymbols === "function") {
    for (const p of Object.getOwnPropertySymbols(s)) {
      if (e.indexOf(p) < 0 && Object.prototype.propertyIsEnumerable.call(s, p)) t[p] = s[p];
    }
  }
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
  if (Object.defineProperty) Object.defineProperty(cooked, "raw", { value: raw });
  else cooked.raw = raw;
  return cooked;
}

export const tslib = { __assign, __rest, __spreadArray, __makeTemplateObject };
