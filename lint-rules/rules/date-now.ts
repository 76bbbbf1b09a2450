/** NWC1001: `Date.now()` (and its aliases) reads the wall clock; the fix is `ctx.now()`. */
import { effectRule } from "../effect-rule.ts";

export default effectRule({
  name: "no-date-now",
  code: "NWC1001",
  category: "date-now",
  description: "Disallow Date.now() in orchestration code; use ctx.now().",
  message: { message: "{{name}} reads the wall clock, which differs when a step runs again{{via}}", fix: "use {{ctx}}.now()" },
  suggest: (node, ctx) => ({ description: `Replace with ${ctx}.now()`, node, text: `${ctx}.now()` }),
});
