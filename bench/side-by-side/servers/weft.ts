// Weft, as the side-by-side benchmark serves it: the app of weft-app.ts with
// its BENCH_OPTIONS (every non-default option, each with its reason).
// Args: --plain-counter serves the counter without its payload schema
// (bench:hot --wire compares the two).
import { createWeft } from "../../../src/index.ts";
import { serve } from "./harness.ts";
import { BENCH_OPTIONS, Counter, List, PlainCounter, Table } from "./weft-app.ts";

await serve(async () => {
  let errors = 0;
  const app = createWeft({
    views: { "/counter": process.argv.includes("--plain-counter") ? PlainCounter : Counter, "/table": Table, "/list": List },
    secret: "bench-side-by-side-secret-0123456789abcdef",
    ...BENCH_OPTIONS,
    onError: (err, where) => {
      if (++errors <= 5) console.error(`[weft] ${where}:`, err);
    },
  });
  const { port } = await app.listen(0, "127.0.0.1");
  return { port, close: () => app.close(), stats: () => ({ ...app.stats(), errors }) };
});
