/** NWC1012: WeakRef and FinalizationRegistry observe garbage collection, which no frame records. */
import { effectRule } from "../effect-rule.ts";

export default effectRule({
  name: "no-weakref",
  code: "NWC1012",
  category: "weakref",
  description: "Disallow WeakRef and FinalizationRegistry in orchestration code.",
  message: { message: "{{name}} depends on garbage collection, which is not reproducible{{via}}", fix: "hold the value in an ordinary local variable" },
});
