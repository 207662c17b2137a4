// Weft, as the side-by-side benchmark serves it: the app of weft-app.ts with
// its BENCH_OPTIONS (every non-default option, each with its reason).
// Args: --plain-counter serves the counter without its payload schema
// (bench:hot --wire compares the two); --msgpack turns the msgpack option on
// (its sockets may choose MessagePack: the weft-ws-msgpack row).
// Weft itself comes from the built package (dist/) unless the run says --src
// (bench/weft-build.ts); `stats` reports which, so a run cannot mislabel it.
import { WEFT_BUILD, weft, weftEntryUrl } from "../../weft-build.ts";
import { serve } from "./harness.ts";
import { BENCH_OPTIONS, Counter, KeyedDelete, KeyedMove, List, PlainCounter, Table } from "./weft-app.ts";

await serve(async () => {
  let errors = 0;
  const app = weft.createWeft({
    views: { "/counter": process.argv.includes("--plain-counter") ? PlainCounter : Counter, "/table": Table, "/list": List, "/keyed-delete": KeyedDelete, "/keyed-move": KeyedMove },
    secret: "bench-side-by-side-secret-0123456789abcdef",
    ...BENCH_OPTIONS,
    msgpack: process.argv.includes("--msgpack"),
    onError: (err, where) => {
      if (++errors <= 5) console.error(`[weft] ${where}:`, err);
    },
  });
  const { port } = await app.listen(0, "127.0.0.1");
  return { port, close: () => app.close(), stats: () => ({ ...app.stats(), errors, build: WEFT_BUILD, entry: weftEntryUrl() }) };
});
