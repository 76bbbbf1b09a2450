/**
 * The shape of one rule, shared by `checkProgram` (compiler, `nwc check`) and
 * the ESLint plugin. A rule is a set of visitors over TypeScript's AST that
 * report findings by message id; the runner decides which code is visited
 * (orchestration bodies and everything they reach), so a rule only says what
 * is wrong with one node.
 *
 * Invariant: a finding's message and fix are produced from the rule's message
 * templates only, so ESLint and `nwc check` print the same text.
 */
import type ts from "typescript";

export interface RuleMessage {
  /** What is wrong, one sentence; `{{name}}` placeholders are filled from the report's data. */
  message: string;
  /** How to fix it, e.g. "use {{ctx}}.now()". */
  fix: string;
}

/** A mechanical rewrite an editor may offer: replace `node`'s text with `text`. */
export interface Suggestion {
  description: string;
  node: ts.Node;
  text: string;
}

export interface Report {
  node: ts.Node;
  messageId: string;
  data?: Record<string, string>;
  suggestion?: Suggestion;
}

/** Where the node being visited runs, as seen from an orchestration. */
export interface Reach {
  /** The orchestration (or ctx helper) this code is reached from. */
  root: string;
  /** Functions on the call path from the root to here, outermost first (empty inside the root). */
  via: string[];
}

export interface RuleContext {
  readonly program: ts.Program;
  readonly checker: ts.TypeChecker;
  /** Name of the OrchestrationContext parameter in scope at `node`, if any. */
  ctxNameAt(node: ts.Node): string | undefined;
  /** Reach of the function currently visited. */
  readonly reach: Reach;
  report(report: Report): void;
}

export type Visitor = (node: ts.Node) => void;

export interface RuleDefinition {
  /** kebab-case, also the ESLint rule name (`nwc/<name>`) and the docs page docs/rules/<name>.md. */
  name: string;
  /** Stable diagnostic code, NWC1xxx/NWC2xxx/NWC4xxx. */
  code: string;
  description: string;
  messages: Record<string, RuleMessage>;
  /** Visitors by SyntaxKind over reachable orchestration code. */
  create(context: RuleContext): Partial<Record<ts.SyntaxKind, Visitor>>;
  /** Rules that look at whole functions (liveness) instead of single nodes: called once per reached function. */
  checkFunction?(context: RuleContext, fn: ts.FunctionLikeDeclaration): void;
}

export function defineRule(rule: RuleDefinition): RuleDefinition {
  if (!/^NWC[124]\d{3}$/.test(rule.code)) throw new Error(`rule ${rule.name}: bad code ${rule.code}`);
  if (Object.keys(rule.messages).length === 0) throw new Error(`rule ${rule.name}: no messages`);
  return rule;
}

/** Fills `{{key}}` placeholders; a missing key is a programming error in the rule. */
export function interpolate(template: string, data: Record<string, string> = {}): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, key: string) => {
    if (!(key in data)) throw new Error(`message placeholder {{${key}}} has no data`);
    return data[key]!;
  });
}
