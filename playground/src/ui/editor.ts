/**
 * The code editor: CodeMirror 6 with TypeScript highlighting and the lint
 * gutter. `showDiagnostics` places the compiler's diagnostics inline (1-based
 * line/column ranges become document offsets, clamped to the document);
 * `onChange` is debounced so the compiler runs once typing pauses.
 */
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { javascript } from "@codemirror/lang-javascript";
import { lintGutter, setDiagnostics, type Diagnostic } from "@codemirror/lint";
import type { Text } from "@codemirror/state";
import type { NwcDiagnostic } from "../../../compiler/diagnostics.ts";

/** Pause in typing before the program is compiled again. */
export const COMPILE_DEBOUNCE_MS = 350;

export function offsetOf(doc: Text, line: number, column: number): number {
  const l = doc.line(Math.min(Math.max(1, line), doc.lines));
  return Math.min(l.from + Math.max(0, column - 1), l.to);
}

export function toCodeMirror(doc: Text, diagnostics: readonly NwcDiagnostic[]): Diagnostic[] {
  return diagnostics.map((d) => {
    const from = offsetOf(doc, d.line, d.column);
    const to = Math.max(from, offsetOf(doc, d.endLine ?? d.line, d.endColumn ?? d.column));
    return { from, to: to === from ? Math.min(from + 1, doc.length) : to, severity: "error", source: d.code, message: d.fix ? `${d.message} Fix: ${d.fix}` : d.message };
  });
}

export interface Editor {
  view: EditorView;
  text(): string;
  setText(text: string): void;
  showDiagnostics(diagnostics: readonly NwcDiagnostic[]): void;
}

export function createEditor(parent: HTMLElement, initial: string, onChange: (text: string) => void): Editor {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const view = new EditorView({
    parent,
    doc: initial,
    extensions: [
      lineNumbers(),
      highlightActiveLineGutter(),
      highlightActiveLine(),
      drawSelection(),
      history(),
      indentOnInput(),
      bracketMatching(),
      closeBrackets(),
      syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
      keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, indentWithTab]),
      javascript({ typescript: true }),
      lintGutter(),
      EditorView.updateListener.of((u) => {
        if (!u.docChanged) return;
        clearTimeout(timer);
        timer = setTimeout(() => onChange(view.state.doc.toString()), COMPILE_DEBOUNCE_MS);
      }),
    ],
  });
  return {
    view,
    text: () => view.state.doc.toString(),
    setText(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    showDiagnostics(diagnostics) {
      view.dispatch(setDiagnostics(view.state, toCodeMirror(view.state.doc, diagnostics)));
    },
  };
}
