/** NWC1003: `Math.random()` is not reproducible; the fix is `ctx.random()`, seeded per instance. */
import { effectRule } from "../effect-rule.ts";

export default effectRule({
  name: "no-math-random",
  code: "NWC1003",
  category: "math-random",
  description: "Disallow Math.random() in orchestration code; use ctx.random().",
  message: { message: "{{name}} is not deterministic: a step that runs again draws another number{{via}}", fix: "use {{ctx}}.random()" },
  suggest: (node, ctx) => ({ description: `Replace with ${ctx}.random()`, node, text: `${ctx}.random()` }),
});
