/**
 * Builds the rules that flag one category of the known-effect list: a call,
 * `new`, or (for value effects such as `process.env`) a read whose target
 * resolves, through the type checker, to a member of that category.
 *
 * Invariant: a node is reported at most once per category: a call is judged by
 * its callee, and a property read is judged only when it is not that callee.
 */
import ts from "typescript";
import { effectOf, type EffectCategory } from "./effects.ts";
import { calleeOf, resolveTarget } from "./resolve.ts";
import { defineRule, type RuleContext, type RuleDefinition, type RuleMessage, type Suggestion } from "./rule.ts";

export interface EffectRuleOptions {
  name: string;
  code: string;
  category: EffectCategory;
  description: string;
  message: RuleMessage;
  /** Also flag plain reads (not calls) of the member, e.g. `process.env.X`. */
  reads?: boolean;
  /** A mechanical rewrite of the reported call, given the ctx name in scope. */
  suggest?(node: ts.CallExpression | ts.NewExpression, ctx: string, context: RuleContext): Suggestion | undefined;
}

function calleeName(expr: ts.Expression): string {
  const text = expr.getText().replace(/\s+/g, "");
  return `\`${text}\``;
}

function isCallee(node: ts.Node): boolean {
  const p = node.parent;
  return (ts.isCallExpression(p) || ts.isNewExpression(p) || ts.isTaggedTemplateExpression(p)) && (ts.isTaggedTemplateExpression(p) ? p.tag : p.expression) === node;
}

export function effectRule(options: EffectRuleOptions): RuleDefinition {
  return defineRule({
    name: options.name,
    code: options.code,
    description: options.description,
    messages: { effect: options.message },
    create(context) {
      // `items.map(Math.random)`: an effect passed by name runs as surely as one called.
      const checkArguments = (node: ts.CallExpression | ts.NewExpression): void => {
        for (const arg of node.arguments ?? []) {
          if (!ts.isIdentifier(arg) && !ts.isPropertyAccessExpression(arg) && !ts.isElementAccessExpression(arg)) continue;
          const target = resolveTarget(context.program, arg);
          if (target && effectOf(target) === options.category && !options.reads) {
            context.report({ node: arg, messageId: "effect", data: { name: calleeName(arg) } });
          }
        }
      };
      const check = (node: ts.CallExpression | ts.NewExpression): void => {
        checkArguments(node);
        // `Date.now.call(null)`, `Math.random.apply(...)`, `Date.now.bind(Date)()` invoke the member itself.
        const callee = ts.isCallExpression(node) ? calleeOf(context.checker, node.expression) : node.expression;
        const target = resolveTarget(context.program, callee);
        if (!target || effectOf(target) !== options.category) return;
        const ctx = context.ctxNameAt(node);
        const name = ts.isNewExpression(node) ? `\`new ${node.expression.getText()}()\`` : `\`${node.expression.getText().replace(/\s+/g, "")}()\``;
        context.report({
          node, messageId: "effect", data: { name },
          suggestion: ctx && options.suggest ? options.suggest(node, ctx, context) : undefined,
        });
      };
      const read = (node: ts.PropertyAccessExpression | ts.ElementAccessExpression | ts.Identifier): void => {
        if (isCallee(node)) return;
        // The `env` of `process.env` is judged through its property access, not again on its own.
        if (ts.isIdentifier(node) && ts.isPropertyAccessExpression(node.parent) && node.parent.name === node) return;
        // Declarations and import specifiers are names, not reads.
        if (ts.isIdentifier(node) && (((node.parent as { name?: ts.Node }).name === node && !ts.isPropertyAccessExpression(node.parent)) || ts.isImportSpecifier(node.parent))) return;
        const target = resolveTarget(context.program, node);
        if (!target || effectOf(target) !== options.category) return;
        context.report({ node, messageId: "effect", data: { name: calleeName(node) } });
      };
      const visitors: ReturnType<RuleDefinition["create"]> = {
        [ts.SyntaxKind.CallExpression]: (n) => check(n as ts.CallExpression),
        [ts.SyntaxKind.NewExpression]: (n) => check(n as ts.NewExpression),
      };
      if (options.reads) {
        visitors[ts.SyntaxKind.PropertyAccessExpression] = (n) => read(n as ts.PropertyAccessExpression);
        visitors[ts.SyntaxKind.ElementAccessExpression] = (n) => read(n as ts.ElementAccessExpression);
        visitors[ts.SyntaxKind.Identifier] = (n) => read(n as ts.Identifier);
      }
      return visitors;
    },
  });
}
