// Preloaded into every test process by scripts/test.mjs. uvu runs a suite's
// `before`/`after` hooks inside a try/finally that returns, so an error thrown by
// a hook (an emulator that did not start, a browser that did not launch) vanishes
// and the run shows only "(0 / N)". This prints it before uvu drops it.
import { test } from "uvu";

for (const kind of ["before", "after"]) {
  const register = test[kind];
  const wrapped = (hook) =>
    register(async (state) => {
      try {
        await hook(state);
      } catch (error) {
        console.error(`test.${kind} hook failed:`, error);
        throw error;
      }
    });
  wrapped.each = register.each;
  test[kind] = wrapped;
}
