/**
 * The side-by-side report's main table: a system whose figures live in
 * another section of docs/benchmarks.md (Weft websocket+msgpack, measured in
 * pairs of its own) gets a line saying where, not a row of dashes, when the
 * run has none of its figures; a run that has them shows its row.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { mainTable } from "../../bench/side-by-side/report/tables.ts";
import { Results } from "../../bench/side-by-side/results.ts";

it("points to the MessagePack section instead of a row of dashes when a run has no msgpack figures", () => {
  const r = new Results();
  r.add("weft", "websocket", "rt-p50", 90);
  const t = mainTable(r);
  assert.doesNotMatch(t, /\| Weft +\| websocket\+msgpack/);
  assert.match(t, /Weft websocket\+msgpack \(the msgpack option\) is not in these runs: [^\n]*"MessagePack beside JSON on WebSocket"/);
  assert.match(t, /\| Weft +\| websocket +\| 90 /);
});

it("shows the msgpack row, and no pointer, once a run measured it", () => {
  const r = new Results();
  r.add("weft", "websocket+msgpack", "rt-p50", 95);
  const t = mainTable(r);
  assert.match(t, /\| Weft +\| websocket\+msgpack +\| 95 /);
  assert.doesNotMatch(t, /is not in these runs/);
});
