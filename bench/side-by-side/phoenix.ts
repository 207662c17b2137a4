// The Phoenix LiveView encoding of the benchmark's updates, computed by
// hand from Phoenix's rendered/diff format as phoenix_live_view 1.1+ sends it
// (lib/phoenix_live_view/diff.ex: a comprehension's entries are keyed, "k";
// only changed or new entries are sent, with the entry count "kc"), inside
// the channel reply frame of the V2 JSON serializer:
//   [join_ref, ref, "lv:phx-<16 chars>", "phx_reply", {"response":{"diff":…},"status":"ok"}]
// plus the 2-byte header of an unmasked server WebSocket frame (4 bytes from
// 126 bytes of payload on). The HEEx templates are the Weft views' own:
//   counter: <div><p>Count: <b>{@count}</b></p><button phx-click="inc">+</button></div>
//   table:   <table><tr :for={r <- @rows}><td>{r.id}</td><td>{r.name}</td><td>{r.value}</td></tr></table>
//   list:    <ul><li :for={i <- @items}>{i}</li></ul>
//   keyed-delete, keyed-move: <ul><li :for={e <- @items} :key={e.id}>{e.text}</li></ul>
// Event k (k = 1, 2, …) after the join: the counter shows k; row 42's value
// becomes "updated k"; item "item (999 + k)" is appended to 999 + k items;
// the first of 1,001 - k keyed items is deleted; the last of 1,000 keyed items
// moves to the front. A keyed entry that moved without changing is sent as
// `new index: old index` (diff.ex, process_keyed: every shifted entry), with
// "kc" and "km": true.
import type { ViewName } from "./clients/types.ts";

/** A LiveView id as Phoenix makes them ("phx-" and 16 base64url characters). */
const TOPIC = "lv:phx-GB3xK0s9aZqW1mPc";
/** The view's join ref; event k has ref join + k (heartbeats would only push it higher). */
const JOIN_REF = 4;

/** The diff of event k for `view`. */
export function phoenixDiff(view: ViewName, k: number): unknown {
  if (view === "counter") return { 0: String(k) };
  if (view === "table") return { 0: { k: { 42: { 2: `updated ${k}` }, kc: 100 } } };
  if (view === "keyed-delete") return { 0: { k: moved(1_000 - k, (i) => i + 1) } };
  if (view === "keyed-move") return { 0: { k: moved(1_000, (i) => (i === 0 ? 999 : i - 1)) } };
  const i = 999 + k;
  return { 0: { k: { [i]: { 0: `item ${i}` }, kc: i + 1 } } };
}

/** A keyed comprehension of `count` entries, each moved from `from(i)`. */
function moved(count: number, from: (i: number) => number): Record<string, unknown> {
  const k: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) k[i] = from(i);
  return { ...k, kc: count, km: true };
}

/** The whole reply frame of event k, as text. */
export function phoenixFrame(view: ViewName, k: number): string {
  return JSON.stringify([String(JOIN_REF), String(JOIN_REF + k), TOPIC, "phx_reply", { response: { diff: phoenixDiff(view, k) }, status: "ok" }]);
}

/** Bytes on the wire of event k's reply: payload plus WebSocket frame header. */
export function phoenixBytes(view: ViewName, k: number): number {
  const n = Buffer.byteLength(phoenixFrame(view, k));
  return n + (n < 126 ? 2 : n < 65_536 ? 4 : 10);
}
