/** NWC1013: `eval` and `new Function` run code the compiler never sees. */
import { effectRule } from "../effect-rule.ts";

export default effectRule({
  name: "no-eval",
  code: "NWC1013",
  category: "eval",
  description: "Disallow eval and new Function in orchestration code.",
  message: { message: "{{name}} runs code the compiler cannot check or compile{{via}}", fix: "write the code directly in the orchestration" },
});
