/**
 * The benchmark's Weft server is an app as users would write one: its
 * counter validates its payload with a schema (so validation's cost is in the
 * figures), and every option it changes from the default is listed in
 * docs/benchmarks.md.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, it } from "node:test";
import WebSocket from "ws";
import { killAll, ServerChild } from "../../bench/side-by-side/child.ts";
import { BENCH_OPTIONS } from "../../bench/side-by-side/servers/weft-app.ts";
import { withTimeout } from "../../bench/side-by-side/stats.ts";

process.env.BENCH_PIN = "0";

let server: ServerChild;
before(async () => {
  server = await ServerChild.start("weft");
});
after(async () => {
  await server.close();
  killAll();
});

/** Joins the counter over a real WebSocket; resolves with a function that sends one event and waits for its answer. */
async function counter(): Promise<{ send: (d: unknown) => Promise<{ t: string; c?: string }>; close: () => void }> {
  const page = await (await fetch(`${server.base}/counter`)).text();
  const token = /weft-token="([^"]+)"/.exec(page)?.[1];
  assert.ok(token, "the page carries a token");
  const ws = new WebSocket(`${server.base.replace(/^http/, "ws")}/weft/ws`, { headers: { origin: server.base } });
  await withTimeout(new Promise((r, j) => (ws.once("open", r), ws.once("error", j))), 5_000, "open");
  const frames: { t: string; r?: number; c?: string }[] = [];
  let wake = () => {};
  ws.on("message", (d) => (frames.push(JSON.parse(String(d))), wake()));
  const next = (pred: (f: { t: string; r?: number; c?: string }) => boolean) => withTimeout(new Promise<{ t: string; c?: string }>((resolve) => {
    const look = () => {
      const i = frames.findIndex(pred);
      if (i >= 0) resolve(frames.splice(i, 1)[0]!);
    };
    wake = look;
    look();
  }), 5_000, "answer");
  ws.send(JSON.stringify({ t: "j", v: 1, d: { k: token } }));
  await next((f) => f.t === "f");
  let ref = 0;
  return {
    send: (d) => {
      const r = ++ref;
      ws.send(JSON.stringify({ t: "e", v: 1, e: "inc", d, r }));
      return next((f) => f.r === r || f.t === "x");
    },
    close: () => ws.terminate(),
  };
}

it("validates the counter's payload with its schema: a bad one is refused with E_INVALID", async () => {
  const c = await counter();
  try {
    assert.notEqual((await c.send({})).t, "x", "an empty payload is valid");
    assert.notEqual((await c.send({ by: 3 })).t, "x", "{ by: 3 } is valid");
    const bad = await c.send({ by: "lots" });
    assert.equal(bad.t, "x");
    assert.equal(bad.c, "E_INVALID");
    const extra = await c.send({ by: 1, admin: true });
    assert.equal(extra.c, "E_INVALID");
  } finally {
    c.close();
  }
});

it("lists every non-default option of the bench server, with its value, in docs/benchmarks.md", () => {
  const doc = readFileSync(new URL("../../docs/benchmarks.md", import.meta.url), "utf8");
  const section = /<!-- bench-options:start -->([\s\S]*?)<!-- bench-options:end -->/.exec(doc)?.[1];
  assert.ok(section, "docs/benchmarks.md has a bench-options list");
  for (const [key, value] of Object.entries(BENCH_OPTIONS)) {
    const shown = typeof value === "number" ? value.toLocaleString("en-US") : JSON.stringify(value).replace(/"/g, "").replace(/,/g, ", ").replace(/:/g, ": ");
    assert.ok(section.includes(`\`${key}\``), `${key} is listed`);
    assert.ok(section.includes(shown), `${key} is shown as ${shown}`);
  }
});
