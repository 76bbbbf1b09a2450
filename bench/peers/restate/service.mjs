// Hello3 and Hello5 as a Restate service: each step is a `ctx.run` (journaled
// by the server), the counterpart of an nwc activity. Listens on $PORT.
// Node 20 lacks Promise.withResolvers, which this SDK version uses.
Promise.withResolvers ??= function () {
  let resolve, reject;
  const promise = new Promise((a, b) => { resolve = a; reject = b; });
  return { promise, resolve, reject };
};
const restate = await import("@restatedev/restate-sdk");

const greet = async (name) => `Hello ${name}!`;
const service = restate.service({
  name: "hello",
  handlers: {
    hello3: async (ctx) => [
      await ctx.run("greet", () => greet("city 0")),
      await ctx.run("greet", () => greet("city 1")),
      await ctx.run("greet", () => greet("city 2")),
    ],
    hello5: async (ctx) => {
      const out = [];
      for (let i = 0; i < 5; i++) out.push(await ctx.run("greet", () => greet(`city ${i}`)));
      return out;
    },
  },
});
restate.endpoint().bind(service).listen(Number(process.env.PORT));
