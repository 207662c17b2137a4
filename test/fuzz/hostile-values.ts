/**
 * Hostile building blocks for the fuzz inputs: strings, numbers and JSON
 * texts that have broken servers before. Everything here is JSON *text*, not
 * values, so that a frame can carry what `JSON.stringify` never writes:
 * `1e309` (parses to Infinity), `-0`, duplicate keys, `__proto__` as a key.
 *
 * @example
 * fc.sample(hostileJson, 3); // e.g. [ '{"__proto__":{"x":1}}', '1e309', '"\ud800"' ]
 */
import fc from "fast-check";

/** Keys that reach an object's prototype or shadow its methods. */
export const PROTO_KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf", "__defineGetter__", "toJSON"] as const;

/** Handlers the test views (test/support/views.ts) really have. */
export const HANDLER_NAMES = ["inc", "add", "slow", "same", "push", "boom", "breakIt"] as const;

/**
 * Handlers that throw a DeliberateError (test/support/views.ts) when sent: `boom`
 * and `breakIt` always, `add` on a payload it refuses. The app's onError sees these.
 */
export const DELIBERATE_FAILURES: readonly string[] = ["boom", "breakIt", "add"];

/** Numbers as JSON text: edges of doubles, of safe integers, of int32, and texts that parse to ±Infinity or -0. */
export const hugeNumberText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("1e308", "-1e308", "1e309", "-1e309", "-0", "0", "-1", "0.5", "1e-400", "5e-324", "2147483647", "2147483648", "4294967296",
    "9007199254740991", "9007199254740993", "-9007199254740993", "123456789012345678901234567890", "1E+2", "0e0", "1.0"),
  fc.double().filter(Number.isFinite).map((d) => JSON.stringify(d)),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
);

/** Strings that look like numbers to a sloppy parser. */
export const nanishText: fc.Arbitrary<string> = fc.constantFrom("NaN", "Infinity", "-Infinity", "0x10", "1e3", " 1", "1_000", "", "null", "undefined", "-0", "0b1", "١٢٣").map((s) => JSON.stringify(s));

/** One UTF-16 code unit from the surrogate range, alone. */
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));

/** Strings with odd unicode: lone surrogates, bidi overrides, NUL, zero-width, line separators, astral. */
export const oddString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("\uD800", "\uDFFF", "a\uD83D", "\uDE00b", "\u202E\u202Dx\u200F", "\u0000", "a\u0000b", "\u200B\uFEFF", "𝕏🏳️‍🌈", "\u0085\u2028\u2029",
    "%00", "../../etc/passwd", "<script>alert(1)</script>", "${x}", "\\", '"', "\r\n\r\n", "data: x\n\n", "id: 9\n"),
  fc.array(fc.oneof(loneSurrogate, fc.string({ unit: "grapheme", maxLength: 3 })), { maxLength: 8 }).map((a) => a.join("")),
  fc.string({ unit: "binary", maxLength: 24 }),
  fc.integer({ min: 200, max: 4000 }).map((n) => "é".repeat(n)),
);

/** Event names: real handlers, prototype keys, odd unicode, empty, too long. */
export const eventName: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...HANDLER_NAMES), weight: 3 },
  { arbitrary: fc.constantFrom(...PROTO_KEYS), weight: 3 },
  { arbitrary: oddString, weight: 2 },
  { arbitrary: fc.constantFrom("", "x".repeat(257), "inc ", "INC", "inc\u0000"), weight: 1 },
);

/** A string value as JSON text (JSON.stringify escapes lone surrogates since ES2019; we also write them raw). */
export const stringText: fc.Arbitrary<string> = fc.oneof(
  oddString.map((s) => JSON.stringify(s)),
  loneSurrogate.map((s) => `"${s}"`),
  fc.constantFrom(...PROTO_KEYS).map((s) => JSON.stringify(s)),
);

/** An object whose keys are prototype keys, as JSON text (JSON.parse makes `__proto__` an own key). */
export const protoObjectText: fc.Arbitrary<string> = fc
  .array(fc.tuple(fc.constantFrom(...PROTO_KEYS), fc.oneof(stringText, hugeNumberText, fc.constant("{}"), fc.constant('{"polluted":true}'))), { minLength: 1, maxLength: 4 })
  .map((kv) => `{${kv.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`);

/**
 * Nesting `depth` levels deep, as JSON text: arrays, objects, or both. Built
 * without recursion, so depth 10,000 costs nothing here.
 */
export function deepText(depth: number, shape: "array" | "object" | "mixed"): string {
  if (shape === "array") return "[".repeat(depth) + "]".repeat(depth);
  if (shape === "object") return '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
  return '{"a":['.repeat(depth / 2) + "1" + "]}".repeat(depth / 2);
}

/** Deep nesting: just past the server's default depth limit (32), and far past it (10,000 levels, 30,000 within 64 KiB). */
export const deepNestText: fc.Arbitrary<string> = fc
  .tuple(fc.oneof(fc.integer({ min: 30, max: 40 }), fc.constantFrom(1_000, 10_000, 30_000)), fc.constantFrom("array", "object", "mixed") as fc.Arbitrary<"array" | "object" | "mixed">)
  .map(([d, shape]) => deepText(shape === "object" ? Math.min(d, 10_000) : d, shape));

/** Any JSON value text, hostile or plain: what goes where a typed field is expected. */
export const hostileJson: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.json({ maxDepth: 3 }), weight: 4 },
  { arbitrary: hugeNumberText, weight: 3 },
  { arbitrary: nanishText, weight: 2 },
  { arbitrary: stringText, weight: 2 },
  { arbitrary: protoObjectText, weight: 2 },
  { arbitrary: fc.constantFrom("null", "true", "false", "[]", "{}", "[1]", '[{"k":"x"}]', '""'), weight: 2 },
  { arbitrary: deepNestText, weight: 1 },
);
