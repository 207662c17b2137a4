/**
 * Hostile client frames: what an attacker can put in a WebSocket frame, or in
 * the JSON body of an SSE/HTTP POST. Frames are built as text from envelope
 * parts (key → JSON text), so a key can hold any hostile JSON, repeat, or be
 * `__proto__`.
 *
 * @example
 * const arb = frameInput({ sampleToken, victimSid, victimView: 7, ownViews: [1, 2, 3], maxBytes: 65536, allowHuge: true });
 * fc.sample(arb, 1); // e.g. [ { via: "frame", kind: "wrong-type", data: '{"t":"e","v":[],"r":3,"e":"inc","d":{}}', binary: false } ]
 */
import fc from "fast-check";
import { deepNestText, eventName, HANDLER_NAMES, hostileJson, hugeNumberText, oddString, PROTO_KEYS, protoObjectText } from "./hostile-values.ts";
import { tokenText, type TokenContext } from "./tokens.ts";

/** One frame for the attacker's link. */
export interface FrameInput {
  readonly via: "frame";
  readonly kind: string;
  /** Frame text, or bytes. */
  readonly data: string | Buffer;
  /** Sent as a binary WebSocket frame (else a text frame, even when `data` is bytes). */
  readonly binary: boolean;
}

/** What the frame arbitraries need from the running app. */
export interface FrameContext extends TokenContext {
  /** The victim's view id (on the victim's own link; never joined by attackers). */
  readonly victimView: number;
  /** View ids every attacker has joined on its own link (a counter, a list, a view whose render can fail). */
  readonly ownViews: readonly number[];
  /** The server's maxMessageBytes. */
  readonly maxBytes: number;
  /** Allow frames over the WebSocket hard cap (1 MiB): they close the socket, so they are rare. */
  readonly allowHuge: boolean;
}

/** Envelope parts, in order; a key may repeat. */
type Parts = [key: string, json: string][];

const text = (parts: Parts) => `{${parts.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`;
const KEYS = ["t", "v", "r", "e", "d", "q", "k"] as const;

/** Frames for the attacker's link, of every kind the suite knows. */
export function frameInput(ctx: FrameContext): fc.Arbitrary<FrameInput> {
  const frame = (kind: string) => (data: string) => ({ via: "frame" as const, kind, data, binary: false });
  const own = fc.constantFrom(...ctx.ownViews);
  const ref = fc.integer({ min: 1, max: 2 ** 31 - 1 });
  const base = baseEnvelope(ctx, own, ref);
  return fc.oneof(
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 512 }).map((b) => ({ via: "frame" as const, kind: "bytes", data: Buffer.from(b), binary: true })) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => ({ via: "frame" as const, kind: "text-bytes", data: Buffer.concat([Buffer.from(b), Buffer.from([0xff, 0xc3])]), binary: false })) },
    { weight: 2, arbitrary: fc.oneof(fc.string({ unit: "binary", maxLength: 200 }), oddString).map(frame("string")) },
    { weight: 2, arbitrary: hostileJson.map(frame("json-value")) },
    { weight: 5, arbitrary: wrongTypes(base).map(frame("wrong-type")) },
    { weight: 3, arbitrary: hugeNumbers(base).map(frame("huge-number")) },
    { weight: 2, arbitrary: deep(own, ref).map(frame("deep")) },
    { weight: 3, arbitrary: fc.tuple(own, ref, oddString, payload()).map(([v, r, e, d]) => text([["t", '"e"'], ["v", `${v}`], ["r", `${r}`], ["e", JSON.stringify(e)], ["d", d]])).map(frame("unicode")) },
    { weight: 3, arbitrary: protoFrames(own, ref).map(frame("proto-key")) },
    { weight: 2, arbitrary: fc.tuple(own, fc.integer({ min: 1, max: 3 }), fc.constantFrom(...HANDLER_NAMES)).map(([v, r, e]) => text([["t", '"e"'], ["v", `${v}`], ["r", `${r}`], ["e", JSON.stringify(e)], ["d", "{}"]])).map(frame("replayed-ref")) },
    { weight: 6, arbitrary: fc.tuple(own, tokenText(ctx), fc.option(hugeNumberText, { nil: undefined })).map(([v, t, q]) => ({ via: "frame" as const, kind: t.kind, data: text([["t", '"j"'], ["v", `${v + 10}`], ["d", `{"k":${t.k}${q === undefined ? "" : `,"q":${q}`}}`]]), binary: false })) },
    { weight: 3, arbitrary: notJoined(ctx, ref).map(frame("not-joined")) },
    { weight: 3, arbitrary: victimView(ctx, ref).map(frame("victim-view")) },
    { weight: 1, arbitrary: oversized(ctx, own, ref).map(frame("oversized")) },
    { weight: 4, arbitrary: fc.tuple(own, ref, fc.constantFrom(...HANDLER_NAMES), payload()).map(([v, r, e, d]) => text([["t", '"e"'], ["v", `${v}`], ["r", `${r}`], ["e", JSON.stringify(e)], ["d", d]])).map(frame("valid-event")) },
    { weight: 1, arbitrary: fc.constantFrom('{"t":"h"}', '{"t":"h","v":-1}', `{"t":"h","d":${"[".repeat(40)}${"]".repeat(40)}}`).map(frame("heartbeat")) },
  );
}

/** A well-formed envelope of each client kind, as parts, to be damaged. */
function baseEnvelope(ctx: FrameContext, own: fc.Arbitrary<number>, ref: fc.Arbitrary<number>): fc.Arbitrary<Parts> {
  return fc.oneof(
    fc.tuple(own, ref, eventName).map(([v, r, e]): Parts => [["t", '"e"'], ["v", `${v}`], ["r", `${r}`], ["e", JSON.stringify(e)], ["d", "{}"]]),
    own.map((v): Parts => [["t", '"j"'], ["v", `${v + 20}`], ["d", `{"k":${JSON.stringify(ctx.sampleToken)}}`]]),
    fc.tuple(own, fc.nat()).map(([v, q]): Parts => [["t", '"a"'], ["v", `${v}`], ["q", `${q}`]]),
    fc.constant<Parts>([["t", '"l"'], ["v", `${ctx.victimView}`]]),
    fc.constant<Parts>([["t", '"h"']]),
  );
}

/** Wrong types for one to three envelope keys (and for the join's `d.k`, `d.q`). */
function wrongTypes(base: fc.Arbitrary<Parts>): fc.Arbitrary<string> {
  return fc.tuple(base, fc.array(fc.tuple(fc.constantFrom(...KEYS, "d.k", "d.q"), hostileJson), { minLength: 1, maxLength: 3 }), fc.boolean()).map(([parts, edits, dup]) => {
    const out: Parts = parts.map(([k, v]) => [k, v]);
    for (const [key, value] of edits) {
      if (key.startsWith("d.")) {
        out.push(["d", `{${JSON.stringify(key.slice(2))}:${value}}`]);
        continue;
      }
      const at = out.findIndex(([k]) => k === key);
      if (at >= 0 && !dup) out[at] = [key, value];
      else out.push([key, value]); // a repeated key: JSON.parse keeps the last one
    }
    return text(out);
  });
}

/** Huge or odd numbers for `v`, `r`, `q` (and for the join's `d.q`). */
function hugeNumbers(base: fc.Arbitrary<Parts>): fc.Arbitrary<string> {
  return fc.tuple(base, fc.constantFrom("v", "r", "q"), hugeNumberText).map(([parts, key, n]) => {
    const out: Parts = parts.filter(([k]) => k !== key);
    out.push([key, n]);
    if (parts.some(([k, v]) => k === "t" && v === '"j"')) out.push(["d", `{"k":"x.y","q":${n}}`]);
    return text(out);
  });
}

/** Nesting past the depth limit: in the payload, in a payload value the handler reads, as the frame, in `e`. */
function deep(own: fc.Arbitrary<number>, ref: fc.Arbitrary<number>): fc.Arbitrary<string> {
  return fc.tuple(own, ref, deepNestText, fc.constantFrom("d", "by", "text", "frame", "e")).map(([v, r, nest, where]) => {
    if (where === "frame") return nest;
    const e = where === "by" ? '"add"' : '"inc"';
    const d = where === "d" ? `{"x":${nest}}` : where === "by" ? `{"by":${nest}}` : where === "text" ? `{"text":${nest}}` : "{}";
    return text([["t", '"e"'], ["v", `${v}`], ["r", `${r}`], ["e", where === "e" ? nest : e], ["d", d]]);
  });
}

/** Prototype keys as event names, as payload keys, and as envelope keys. */
function protoFrames(own: fc.Arbitrary<number>, ref: fc.Arbitrary<number>): fc.Arbitrary<string> {
  return fc.tuple(own, ref, fc.constantFrom(...PROTO_KEYS), protoObjectText, fc.nat(3)).map(([v, r, key, obj, how]) => {
    if (how === 0) return text([["t", '"e"'], ["v", `${v}`], ["r", `${r}`], ["e", JSON.stringify(key)], ["d", "{}"]]);
    if (how === 1) return text([["t", '"e"'], ["v", `${v}`], ["r", `${r}`], ["e", '"add"'], ["d", obj]]);
    if (how === 2) return text([[key, '{"t":"e","v":1,"r":1,"e":"inc"}'], ["t", '"e"'], ["v", `${v}`], ["r", `${r}`], ["e", '"inc"']]);
    return text([["t", '"e"'], ["v", `${v}`], ["r", `${r}`], ["e", '"add"'], ["d", `{"__proto__":{"by":1000},"constructor":{"prototype":{"by":1000}}}`]]);
  });
}

/** Frames for views this link never joined. */
function notJoined(ctx: FrameContext, ref: fc.Arbitrary<number>): fc.Arbitrary<string> {
  const v = fc.oneof(fc.integer({ min: 30, max: 2 ** 31 - 1 }), fc.constant(2 ** 31 - 1)).filter((x) => x !== ctx.victimView);
  return fc.tuple(v, ref, fc.constantFrom("e", "a", "l")).map(([id, r, t]) =>
    t === "e" ? text([["t", '"e"'], ["v", `${id}`], ["r", `${r}`], ["e", '"inc"'], ["d", "{}"]]) : t === "a" ? text([["t", '"a"'], ["v", `${id}`], ["q", "0"]]) : text([["t", '"l"'], ["v", `${id}`]]));
}

/** The victim's view id, used from an attacker's link: must touch nothing of the victim's. */
function victimView(ctx: FrameContext, ref: fc.Arbitrary<number>): fc.Arbitrary<string> {
  const v = `${ctx.victimView}`;
  return fc.tuple(ref, fc.constantFrom("inc", "add", "boom", "push"), fc.nat(4)).map(([r, e, how]) => {
    if (how === 0) return text([["t", '"a"'], ["v", v], ["q", "999999"]]);
    if (how === 1) return text([["t", '"l"'], ["v", v]]);
    if (how === 2) return text([["t", '"j"'], ["v", v], ["d", '{"k":"forged.token","q":0}']]);
    return text([["t", '"e"'], ["v", v], ["r", `${r}`], ["e", JSON.stringify(e)], ["d", '{"by":1000}']]);
  });
}

/** Frames over maxMessageBytes; past the WebSocket hard cap (≥ 1 MiB) only when allowed. */
function oversized(ctx: FrameContext, own: fc.Arbitrary<number>, ref: fc.Arbitrary<number>): fc.Arbitrary<string> {
  const size = ctx.allowHuge
    ? fc.oneof({ weight: 19, arbitrary: fc.integer({ min: ctx.maxBytes + 1, max: ctx.maxBytes * 3 }) }, { weight: 1, arbitrary: fc.integer({ min: 1 << 20, max: (1 << 20) + 4096 }) })
    : fc.integer({ min: ctx.maxBytes + 1, max: ctx.maxBytes * 3 });
  return fc.tuple(own, ref, size).map(([v, r, n]) => `{"t":"e","v":${v},"r":${r},"e":"add","d":{"pad":"${"x".repeat(n)}"}}`);
}

/** Event payloads as JSON text: plain, hostile values under the keys the handlers read, odd keys. */
function payload(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constant("{}"),
    hostileJson.map((h) => `{"by":${h}}`),
    hostileJson.map((h) => `{"text":${h}}`),
    fc.dictionary(oddString, hostileJson, { maxKeys: 4 }).map((d) => `{${Object.entries(d).map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`),
    protoObjectText,
  );
}
