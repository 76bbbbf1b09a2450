/**
 * Random orchestration programs over the constructs the compiler lowers:
 * sequences, if/else, conditional and logical expressions with awaits, switch
 * with fall-through, for / for...of / while / do...while with break and
 * continue (also labeled), try/catch/finally, throw, early return, block
 * shadowing, async closures run concurrently with Promise.all (capturing
 * per-iteration loop bindings), and helper calls; also async closures pushed from loops
 * that do not await (fan-out), catch variables captured by async closures, finally
 * blocks left by break/continue/return, object and array spread, Promise.race /
 * allSettled / any, then/catch/finally on tasks, and async closures returning tasks;
 * also lets read by closures before their declaration, calls whose awaited arguments
 * or a concurrent branch reassign the callee, Sets, Maps and arrays grown during a
 * for...of that awaits, and generators with a finally left early.
 * Entropy comes from a fast-check array of naturals, so a failing case is reproduced
 * from its seed.
 *
 * Invariant: every generated program terminates (loops have constant bounds
 * or a decremented guard) and type-checks loosely (the fuzz test skips the
 * type check, not the translation).
 */
export class Entropy {
  private i = 0;
  constructor(private readonly xs: number[]) {}
  next(n: number): number {
    const v = this.xs.length ? this.xs[this.i++ % this.xs.length]! : 0;
    return (v + this.i * 7) % n;
  }
  pick<T>(options: T[]): T {
    return options[this.next(options.length)]!;
  }
}

/** Bound on statement nesting: deeper programs add run time, not new constructs. */
const MAX_DEPTH = 3;

export function genProgram(name: string, e: Entropy): string {
  let uid = 0;
  const expr = (loopVars: string[]): string => {
    const atoms = ["a", "b", "c", String(e.next(20)), ...loopVars];
    const x = e.pick(atoms), y = e.pick(atoms);
    return e.pick([`${x}`, `(${x} + ${y})`, `((${x} * 3 + ${y}) % 17)`, `(${x} - ${y})`]);
  };
  const call = (loopVars: string[]) => `await ctx.call(step, ${expr(loopVars)})`;
  const cond = (loopVars: string[]): string =>
    e.pick([`${expr(loopVars)} % 2 === 0`, `a > ${e.next(30)}`, `(${call(loopVars)}) % 3 === 0`, `b < c`]);
  const block = (depth: number, loopVars: string[], inLoop: boolean, labels: string[], closures: boolean): string => {
    const n = 1 + e.next(3);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(stmt(depth, loopVars, inLoop, labels, closures));
    return out.join("\n");
  };
  const stmt = (depth: number, lv: string[], inLoop: boolean, labels: string[], closures: boolean): string => {
    const simple = [
      () => `${e.pick(["a", "b", "c"])} = ${call(lv)};`,
      () => `log.push(${call(lv)});`,
      () => `${e.pick(["a", "b", "c"])} = ${expr(lv)};`,
      () => `${e.pick(["a", "b", "c"])} += ${expr(lv)} > 5 ? ${call(lv)} : ${expr(lv)};`,
      () => `${e.pick(["a", "b", "c"])} = (${cond(lv)} && ${call(lv)}) || ${expr(lv)};`,
      () => `c = ${expr(lv)} ?? ${call(lv)};`,
      () => `b = await twiceStep(ctx, ${expr(lv)});`,
      () => `if (${expr(lv)} % 7 === 3) throw new Error("t" + ${expr(lv)});`,
      () => `if (${expr(lv)} % 9 === 4) return [a, b, "early", log];`,
      ...(inLoop ? [() => `if (${cond(lv)}) ${e.pick(["break", "continue"])};`] : []),
      ...(labels.length ? [() => `if (${cond(lv)}) ${e.pick(["break", "continue"])} ${e.pick(labels)};`] : []),
      ...(closures ? [() => `log.push(...(await Promise.all([${expr(lv)}, ${expr(lv)}].map(async (x) => { const r = await ctx.call(step, x + ${e.pick(["a", ...lv])}); b += r; return r; }))));`] : []),
      ...(closures ? [() => {
        const r = `r${uid++}`, x = `x${uid++}`;
        return `{
const ${r}: Promise<number>[] = [];
for (const ${x} of [${expr(lv)}, ${expr(lv)}, ${expr(lv)}]) ${r}.push((async () => ${x} + (await ctx.call(step, ${x})))());
log.push(...(await Promise.all(${r})));
}`;
      }] : []),
      () => `log.push(await ctx.call(step, ${expr(lv)}).then((v) => v + ${expr(lv)}, () => -3));`,
      () => `log.push(await ctx.call(step, ${expr(lv)}).catch(() => -4));`,
      () => `log.push(await ctx.call(step, ${expr(lv)}).finally(() => log.push(-5)).catch(() => -6));`,
      () => `log.push(await Promise.race([ctx.call(step, ${expr(lv)}).then(() => -7), ctx.call(step, ${expr(lv)})]).catch(() => -8));`,
      () => `log.push((await Promise.allSettled([ctx.call(step, ${expr(lv)}), ctx.call(step, ${expr(lv)})])).filter((s) => s.status === "fulfilled").length);`,
      () => `log.push(await Promise.any([ctx.call(step, ${expr(lv)}), ctx.call(step, ${expr(lv)})]).catch(() => -9));`,
      () => `b = await (async () => ctx.call(step, ${expr(lv)}))().catch(() => -10);`,
      () => `{
const o = { ...{ a, b }, c: ${expr(lv)} };
log.push(...[o.a, o.c].map((v) => v + 1));
}`,
      // A let read by closures before its declaration (the temporal dead zone), async and sync.
      () => {
        const v = `tz${uid++}`, r = `rd${uid++}`;
        // A sync closure only between awaits (it cannot live in a frame), an async one across them.
        return e.pick([`{
const ${r} = () => ${v} * 2;
try { log.push(${r}()); } catch (e) { log.push((e as Error).name === "ReferenceError" ? -14 : -15); }
let ${v} = ${expr(lv)};
log.push(${r}());
}`, `{
const ${r} = async () => ${v} + 1;
try { log.push(await ${r}()); } catch (e) { log.push((e as Error).name === "ReferenceError" ? -12 : -13); }
let ${v} = ${call(lv)};
log.push(await ${r}());
}`]);
      },
      // Calls whose arguments await, the callee (a local, a property) reassigned by the arguments or by a concurrent branch.
      ...(closures ? [() => {
        const fn = `fn${uid++}`, o = `ob${uid++}`, sw = `sw${uid++}`;
        return `{
let ${fn} = async (x: number, y = 0) => x + y + 1;
const ${o} = { m: async (x: number, y = 0) => x * 2 + y };
const ${sw} = (async () => { await ctx.call(step, ${expr(lv)}).catch(() => 0); ${fn} = async (x: number, y = 0) => x - y - 1; ${o}.m = async (x: number, y = 0) => x - 2 * y; })();
log.push(await ${fn}(await ctx.call(step, ${expr(lv)}), (${fn} = async (x: number, y = 0) => x + y + 5, 1)), await ${o}.m(await ctx.call(step, ${expr(lv)}).catch(() => -16)));
await ${sw};
log.push(await ${fn}(1), await ${o}.m(1, await ctx.call(step, ${expr(lv)}).catch(() => -17)));
}`;
      }] : []),
      // Collections grown (and shrunk) during a for...of whose body awaits.
      () => {
        const c = `co${uid++}`, v = `v${uid++}`;
        return e.pick([
          `{
const ${c} = new Set<number>([${expr(lv)}, ${expr(lv)}, ${expr(lv)}]);
for (const ${v} of ${c}) {
log.push(${v});
if (${v} % 3 === 0) ${c}.delete(${v});
if (${c}.size < 5) ${c}.add(await ctx.call(step, ${v} + ${e.next(9)}));
}
}`,
          `{
const ${c} = new Map<number, number>([[${expr(lv)}, 1]]);
for (const [k, ${v}] of ${c}) {
log.push(k + ${v});
if (${c}.size < 4) ${c}.set(await ctx.call(step, k), ${v} + 1);
}
}`,
          `{
const ${c}: any = [${expr(lv)}];
for (const ${v} of ${c}) {
log.push(${v});
if (${c}.length < 4) ${c}.push(await ctx.call(step, ${v}));
}
}`,
        ]);
      },
      // Array destructuring of a generator: defaults and property targets run between its reads, then it is closed.
      () => {
        const d = `ds${uid++}`;
        return e.pick([`{
const [${d} = ${expr(lv)}, ${d}b = log.push(-18)] = countGen(log, ${e.next(3)});
log.push(${d} + ${d}b);
}`, `{
const ${d} = { p: 0 };
[${d}.p, b = ${expr(lv)}] = countGen(log, ${e.next(4)});
log.push(${d}.p);
}`]);
      },
      // A sync closure declared at the start of a switch clause and used only there (it never lives in the frame).
      () => {
        const r = `sc${uid++}`;
        return `switch (${expr(lv)} % 2) {
case 0: {
const ${r} = () => ${expr(lv)} + 1;
log.push(${r}());
}
case 1:
log.push(${call(lv)});
}`;
      },
      // A call through a local table with an awaited key and awaited arguments, its entry reassigned by a branch.
      ...(closures ? [() => {
        const t = `tb${uid++}`, sw = `sw${uid++}`;
        return `{
const ${t} = { m: async (x: number) => { log.push(x); } };
const ${sw} = (async () => { await ctx.call(step, ${expr(lv)}).catch(() => 0); ${t}.m = async (x: number) => { log.push(-x - 1); }; })();
void ${t}[(await ctx.call(step, 1).then(() => "m", () => "m")) as "m"](await ctx.call(step, ${expr(lv)}).catch(() => -19));
await ${sw};
}`;
      }] : []),
      // A generator with a finally, left early by break, continue to a label, return or throw.
      () => {
        const g = `gv${uid++}`;
        const exit = e.pick([
          "break",
          ...(labels.length ? [`continue ${e.pick(labels)}`] : []),
          `return [a, "gen", log]`,
          `throw new Error("gen" + ${g})`,
        ]);
        return `for (const ${g} of countGen(log, ${1 + e.next(5)})) {
if (${g} === ${e.next(4)}) ${exit};
log.push(${g} + ${expr(lv)});
}`;
      },
    ];
    if (depth >= MAX_DEPTH) return e.pick(simple)();
    const d = depth + 1;
    const compound = [
      () => `if (${cond(lv)}) {\n${block(d, lv, inLoop, labels, closures)}\n} else {\n${block(d, lv, inLoop, labels, closures)}\n}`,
      () => {
        const i = `i${uid++}`;
        return `for (let ${i} = 0; ${i} < ${1 + e.next(3)}; ${i}++) {\n${block(d, [...lv, i], true, labels, closures)}\n}`;
      },
      () => {
        const x = `x${uid++}`;
        return `for (const ${x} of [${expr(lv)}, ${expr(lv)}]) {\n${block(d, [...lv, x], true, labels, closures)}\n}`;
      },
      () => {
        const g = `g${uid++}`;
        return `let ${g} = ${1 + e.next(3)};\nwhile (${g}-- > 0) {\n${block(d, lv, true, labels, closures)}\n}`;
      },
      () => {
        const g = `g${uid++}`;
        return `let ${g} = ${e.next(3)};\ndo {\n${block(d, lv, true, labels, closures)}\n} while (${g}-- > 0);`;
      },
      () => {
        const l = `L${uid++}`, i = `i${uid++}`;
        return `${l}: for (let ${i} = 0; ${i} < 2; ${i}++) {\n${block(d, [...lv, i], true, [...labels, l], closures)}\n}`;
      },
      () => `try {\n${block(d, lv, inLoop, labels, closures)}\n} catch (err) {\nlog.push(-1);\n${block(d, lv, inLoop, labels, closures)}\n} finally {\nlog.push(-2);\n${e.next(2) ? `log.push(${call(lv)});` : ""}\n}`,
      () => `try {\n${block(d, lv, inLoop, labels, closures)}\n} catch (err) {\nlog.push(await (async () => String(err).length + (await ctx.call(step, ${expr(lv)})))());\n}`,
      () => `try {\n${block(d, lv, inLoop, labels, closures)}\n} finally {\nlog.push(-11);\n${inLoop ? `if (${cond(lv)}) ${e.pick(["break", "continue"])};` : `if (${expr(lv)} % 5 === 1) return [a, "finally", log];`}\n}`,
      () => `switch (${expr(lv)} % 3) {\ncase 0:\n${block(d, lv, inLoop, labels, closures)}\ncase 1:\n${block(d, lv, inLoop, labels, closures)}\nbreak;\ndefault:\n${block(d, lv, inLoop, labels, closures)}\n}`,
      () => `{\nlet a = await ctx.call(step, b + ${e.next(9)});\nlog.push(a);\n${block(d, lv, inLoop, labels, false)}\n}`,
    ];
    return e.next(3) === 0 ? e.pick(simple)() : e.pick(compound)();
  };
  const body = block(0, [], false, [], true);
  return `export const ${name} = orchestration("${name}", async (ctx, n: number) => {\nlet a = n, b = 1, c = 2;\nconst log: number[] = [];\n${body}\nreturn [a, b, c, log];\n});\n`;
}
