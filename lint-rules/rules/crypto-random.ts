/** NWC1004: operating-system randomness (crypto.randomUUID, getRandomValues, node:crypto randomBytes, uuid v4...). */
import ts from "typescript";
import { effectRule } from "../effect-rule.ts";

export default effectRule({
  name: "no-crypto-random",
  code: "NWC1004",
  category: "crypto-random",
  description: "Disallow crypto randomness in orchestration code; use ctx.random() or ctx.uuid().",
  message: { message: "{{name}} draws operating-system randomness, which differs when a step runs again{{via}}", fix: "use {{ctx}}.uuid() for ids or {{ctx}}.random() for numbers" },
  // Only a uuid without arguments has a drop-in replacement.
  suggest: (node, ctx) => {
    const callee = node.expression;
    const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : "";
    if (ts.isCallExpression(node) && node.arguments.length === 0 && /^(randomUUID|v4)$/.test(name)) {
      return { description: `Replace with ${ctx}.uuid()`, node, text: `${ctx}.uuid()` };
    }
    return undefined;
  },
});
