/**
 * `nwc/eslint`: the same rules as `nwc check`, live in editors. Each ESLint
 * rule adapts one definition of rules/: it takes the TypeScript program from
 * typescript-eslint's parser services (projectService), runs the shared
 * analysis once per program (cached), and reports the findings of its own
 * rule located in the file being linted, with the identical message.
 *
 * Invariant: no rule logic lives here; a finding reported by ESLint has the
 * same code, line, column and text as the diagnostic `nwc check` prints,
 * because both come from `findingsOf(program)`.
 *
 * Set-up, the whole eslint.config.js:
 *     import nwc from "nwc/eslint";
 *     export default [nwc.configs.recommended];
 */
import path from "node:path";
import type ts from "typescript";
import { findingsOf, RULES, type RuleDefinition } from "./index.ts";

/** The parser is an optional peer dependency of nwc: only users of nwc/eslint need it, next to eslint. */
async function loadParser(): Promise<typeof import("@typescript-eslint/parser")> {
  try {
    return await import("@typescript-eslint/parser");
  } catch {
    throw new Error("nwc/eslint needs the packages eslint and @typescript-eslint/parser next to nwc: run 'npm install --save-dev eslint @typescript-eslint/parser'");
  }
}
const tsParser = await loadParser();

/** Rule pages ship with the package, under docs/rules/ (one level further up from the built dist/lint-rules/). */
const DOCS_URL = new URL(/\/dist\/lint-rules\/[^/]*$/.test(import.meta.url) ? "../../docs/rules/" : "../docs/rules/", import.meta.url).href;

interface ReportDescriptor {
  loc: { start: { line: number; column: number }; end: { line: number; column: number } };
  messageId: string;
  data: Record<string, string>;
  suggest?: { messageId: string; data: Record<string, string>; fix: (fixer: { replaceTextRange(range: [number, number], text: string): unknown }) => unknown }[];
}

interface EslintContext {
  filename: string;
  sourceCode: { parserServices?: { program?: ts.Program | null } };
  report(descriptor: ReportDescriptor): void;
}

export interface EslintRule {
  meta: {
    type: "problem";
    docs: { description: string; url: string; recommended: boolean };
    messages: Record<string, string>;
    hasSuggestions: true;
    schema: [];
  };
  create(context: EslintContext): Record<string, () => void>;
}

/** Our message text is already interpolated; ESLint only places it. The ` Fix: ` form matches formatDiagnostic. */
const FINDING_MESSAGE = "{{message}}. Fix: {{fix}}";

function toEslintRule(def: RuleDefinition): EslintRule {
  const messages: Record<string, string> = { suggestion: "{{description}}" };
  for (const id of Object.keys(def.messages)) messages[id] = FINDING_MESSAGE;
  return {
    meta: {
      type: "problem",
      docs: { description: `${def.code}: ${def.description}`, url: `${DOCS_URL}${def.name}.md`, recommended: true },
      messages,
      hasSuggestions: true,
      schema: [],
    },
    create(context) {
      const program = context.sourceCode.parserServices?.program;
      if (!program) {
        throw new Error(
          `nwc/${def.name} needs type information: use @typescript-eslint/parser with parserOptions: { projectService: true } ` +
            `(nwc.configs.recommended sets both), and make sure ${context.filename} is included by a tsconfig.json`,
        );
      }
      const file = path.resolve(context.filename);
      return {
        Program() {
          for (const f of findingsOf(program)) {
            if (f.rule !== def.name || path.resolve(f.file) !== file) continue;
            const s = f.suggestion;
            context.report({
              loc: { start: { line: f.line, column: f.column - 1 }, end: { line: f.endLine, column: f.endColumn - 1 } },
              messageId: f.messageId,
              data: { message: f.message, fix: f.fix },
              suggest: s ? [{ messageId: "suggestion", data: { description: s.description }, fix: (fixer) => fixer.replaceTextRange([s.start, s.end], s.text) }] : [],
            });
          }
        },
      };
    },
  };
}

export const rules: Record<string, EslintRule> = Object.fromEntries(RULES.map((r) => [r.name, toEslintRule(r)]));

const plugin = {
  meta: { name: "nwc/eslint", version: "0.1.0" },
  rules,
  configs: {} as { recommended: Record<string, unknown> },
};

plugin.configs.recommended = {
  name: "nwc/recommended",
  files: ["**/*.ts", "**/*.tsx", "**/*.mts", "**/*.cts"],
  languageOptions: { parser: tsParser, parserOptions: { projectService: true } },
  plugins: { nwc: plugin },
  rules: Object.fromEntries(RULES.map((r) => [`nwc/${r.name}`, "error"])),
};

export default plugin;
