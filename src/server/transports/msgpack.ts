/**
 * MessagePack framing on WebSocket (the `msgpack` option; subprotocol
 * {@link MSGPACK_PROTOCOL}): the server's codec for a socket that chose it.
 * The envelope is the same as with JSON; only its bytes differ, so every check
 * after decoding is the JSON path's (Connection.handle).
 *
 * Hostile bytes: msgpackr decodes more than JSON's data model (its extensions:
 * Date, Set, Map-as-object, Error, RegExp, typed arrays, records, undefined).
 * A decoded frame is therefore walked once, iteratively and bounded, and
 * refused (E_BAD_FRAME) unless it holds only what JSON can: plain objects,
 * arrays, strings, finite numbers, booleans, null (and undefined, which a
 * handler reads as an absent value) — plus the bytes of an
 * upload chunk (`{ t: "k", v, d: [ref, offset, <bin>] }`, the third item of
 * `d` only). `__proto__` keys arrive renamed by msgpackr (`__proto_`), and
 * the structured-clone references that could build cycles are off.
 */
import { Packr, Unpackr, type Options } from "msgpackr";
import type { ErrorCode } from "../../protocol/errors.ts";
import { C, type Envelope } from "../../protocol/messages.ts";
import type { FrameIds } from "../frame-ids.ts";
import { isId } from "../connection.ts";

/**
 * The encoder: no records (plain MessagePack maps any peer reads), keys whose
 * value is `undefined` left out and `undefined` in arrays sent as nil — as
 * JSON.stringify does — and maps sized to their content (fixmap).
 * `skipValues` is msgpackr's (1.12) though its types do not list it yet.
 */
const packr = new Packr({ useRecords: false, skipValues: [undefined], encodeUndefinedAsNil: true } as Options);

/**
 * The decoder: maps as plain objects, no structured-clone references, 64-bit
 * integers as numbers (as JSON.parse reads them), bin as views of the frame
 * (no copy: the frame is this call's own buffer).
 */
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, structuredClone: false, int64AsType: "number" });

/** Bytes at most before an oversized frame's trailing bin: a chunk's head (map, kind, view id, ref, offset). */
const CHUNK_HEAD_BYTES = 128;
/** Values a frame may hold at most (as security/payload.ts allows a payload). */
const MAX_VALUES = 100_000;

/**
 * One envelope as MessagePack bytes.
 * @example ws.send(packFrame({ t: S.heartbeat }), { binary: true });
 */
export function packFrame(env: Envelope): Buffer {
  return packr.pack(env);
}

/** A decoded frame, or why it is refused (with the ids that could be read, so the browser settles that event). */
export type Unpacked = { msg: Envelope } | { code: ErrorCode; message: string; ids: FrameIds };

/**
 * Decodes one binary frame of a MessagePack socket and checks it holds JSON
 * data. A frame over `maxBytes` is refused unread (E_TOO_LARGE) unless it is
 * shaped like an upload chunk — a head of at most {@link CHUNK_HEAD_BYTES}
 * bytes, then a bin that ends the frame — and turns out to be one (the
 * chunk's own size limit is the upload's `chunkBytes`, checked by its
 * receiver). `maxDepth`: nesting allowed under the envelope (`maxJsonDepth`).
 *
 * @example
 * const out = unpackFrame(buf, 65_536, 32);
 * if ("msg" in out) conn.handle(out.msg);
 */
export function unpackFrame(buf: Uint8Array, maxBytes: number, maxDepth: number): Unpacked {
  const over = buf.length > maxBytes;
  if (over && !chunkShaped(buf)) return tooLarge(buf, maxBytes);
  let msg: unknown;
  try {
    msg = unpackr.unpack(buf);
  } catch {
    return { code: "E_BAD_FRAME", message: "the frame is not MessagePack", ids: peekPackedIds(buf) };
  }
  if (over && (msg as Envelope | undefined)?.t !== C.chunk) return tooLarge(buf, maxBytes);
  const bad = notJson(msg, maxDepth + 2);
  if (bad !== undefined) return { code: "E_BAD_FRAME", message: bad, ids: peekPackedIds(buf) };
  return { msg: msg as Envelope };
}

function tooLarge(buf: Uint8Array, maxBytes: number): Unpacked {
  return { code: "E_TOO_LARGE", message: `the message is ${buf.length} bytes; the limit is ${maxBytes}`, ids: peekPackedIds(buf) };
}

/** True when a bin (bin8/16/32) whose header starts in the frame's first bytes ends exactly at the frame's end. */
function chunkShaped(b: Uint8Array): boolean {
  const end = Math.min(CHUNK_HEAD_BYTES, b.length - 1);
  for (let i = 0; i < end; i++) {
    const x = b[i];
    const n = x === 0xc4 ? b[i + 1]! : x === 0xc5 ? (b[i + 1]! << 8) | b[i + 2]! : x === 0xc6 ? b[i + 1]! * 2 ** 24 + ((b[i + 2]! << 16) | (b[i + 3]! << 8) | b[i + 4]!) : -1;
    if (n >= 0 && i + (x === 0xc4 ? 2 : x === 0xc5 ? 3 : 5) + n === b.length) return true;
  }
  return false;
}

/**
 * Why `root` is not JSON data (undefined when it is). The one exception: an
 * upload chunk's bytes, `d[2]` of a `k` envelope. Iterative: a hostile depth
 * cannot reach the stack.
 */
function notJson(root: unknown, maxDepth: number): string | undefined {
  if (typeof root !== "object" || root === null || Array.isArray(root) || Object.getPrototypeOf(root) !== Object.prototype) return "the frame is not an object";
  const chunk = (root as Envelope).t === C.chunk && Array.isArray((root as Envelope).d) ? ((root as Envelope).d as unknown[])[2] : undefined;
  const stack: [unknown, number][] = [[root, 1]];
  let values = 0;
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (++values > MAX_VALUES) return "the frame has too many values";
    if (depth > maxDepth) return `the frame nests deeper than ${maxDepth} levels`;
    const items = Array.isArray(node) ? node : Object.values(node as object);
    for (const v of items) {
      const t = typeof v;
      // undefined (msgpackr's ext 0, what its encoder writes for it by default) stands for an absent value.
      if (t === "string" || t === "boolean" || v === null || v === undefined) continue;
      if (t === "number") {
        if (Number.isFinite(v)) continue;
        return "the frame holds a number JSON cannot carry (NaN or infinite)";
      }
      if (t === "object" && (Array.isArray(v) || Object.getPrototypeOf(v) === Object.prototype)) {
        stack.push([v, depth + 1]);
        continue;
      }
      if (v === chunk && v instanceof Uint8Array) continue;
      return `the frame holds a value JSON cannot carry (${t === "object" ? (v as object).constructor?.name ?? "object" : t})`;
    }
  }
  return undefined;
}

/**
 * The `v` and `r` of a MessagePack frame, read without decoding it: the
 * top-level map's members with a one-letter key and a scalar value, up to the
 * first other value, within the frame's first {@link CHUNK_HEAD_BYTES} bytes
 * (the client packs `t`, `v`, `r` first, as with JSON: frame-ids.ts).
 *
 * @example
 * peekPackedIds(packFrame({ t: "e", v: 1, r: 7, e: "save", d: {} })); // { v: 1, r: 7 }
 */
export function peekPackedIds(b: Uint8Array): FrameIds {
  const ids: FrameIds = { v: undefined, r: undefined };
  const head = b[0] ?? 0;
  // A fixmap, or a map16 (msgpackr's default encoder writes every map so).
  const size = (head & 0xf0) === 0x80 ? head & 0x0f : head === 0xde ? ((b[1] ?? 0) << 8) | (b[2] ?? 0) : 0;
  let p = head === 0xde ? 3 : 1;
  for (let i = 0; i < size && p < CHUNK_HEAD_BYTES; i++) {
    const k = b[p++] ?? 0;
    if ((k & 0xe0) !== 0xa0) break; // keys are fixstr
    const key = (k & 0x1f) === 1 ? String.fromCharCode(b[p] ?? 0) : "";
    p += k & 0x1f;
    const x = b[p++] ?? 0xc1;
    let n: number;
    if (x < 0x80) n = x;
    else if (x === 0xcc) n = b[p++] ?? -1;
    else if (x === 0xcd) (n = ((b[p] ?? 0) << 8) | (b[p + 1] ?? 0)), (p += 2);
    else if (x === 0xce) (n = (b[p] ?? 0) * 2 ** 24 + (((b[p + 1] ?? 0) << 16) | ((b[p + 2] ?? 0) << 8) | (b[p + 3] ?? 0))), (p += 4);
    else if ((x & 0xe0) === 0xa0) {
      p += x & 0x1f; // a fixstr value (the kind)
      continue;
    } else break;
    if ((key === "v" || key === "r") && ids[key] === undefined && isId(n)) ids[key] = n;
  }
  return ids;
}
