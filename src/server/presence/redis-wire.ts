/**
 * The Redis presence's storage and wire format, defined once: key and channel
 * names, the Lua scripts that change a topic's hash and publish what changed
 * in one atomic step, and the parsers for what comes back (never trusted:
 * anything else on a diff channel or in a hash is reported and dropped).
 *
 * Hash `weft:p:<topic>`: field `<node>|<id>` → the meta's JSON text.
 * Channel `weft:pd:<topic>`: `{"joins":[entry…],"leaves":[entry…]}`, each
 * entry `{"node":…,"id":…,"meta":…}` (the node, so a replica can tell whose
 * entries to drop when a node dies).
 */
import type { Json } from "../view.ts";
import { jsonObject } from "../redis/json.ts";
import { PREFIX } from "../redis/connection.ts";
import { held, type Held } from "./replica.ts";
import { MAX_PRESENCE_ID } from "./types.ts";

/** Hash of a topic's entries. */
export const KEY = `${PREFIX}p:`;
/** Channel of a topic's diffs. */
export const CHANNEL = `${PREFIX}pd:`;
/** Most entries one script call carries: closing or resyncing a busy node goes in chunks. */
export const BATCH = 500;

/**
 * Adds or replaces entries. KEYS[1]: the hash; ARGV[1]: the diff channel; then
 * triples (field, entry JSON up to its meta, meta JSON). Unchanged entries
 * are neither written nor published, so writing everything again is cheap.
 */
export const UPSERT = `
local joins, leaves = {}, {}
for i = 2, #ARGV, 3 do
  local old = redis.call('HGET', KEYS[1], ARGV[i])
  if old ~= ARGV[i + 2] then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 2])
    if old then leaves[#leaves + 1] = ARGV[i + 1] .. old .. '}' end
    joins[#joins + 1] = ARGV[i + 1] .. ARGV[i + 2] .. '}'
  end
end
if #joins > 0 then
  redis.call('PUBLISH', ARGV[1], '{"joins":[' .. table.concat(joins, ',') .. '],"leaves":[' .. table.concat(leaves, ',') .. ']}')
end
return #joins`;

/**
 * Removes entries and publishes the ones it removed (with the meta they had).
 * KEYS[1]: the hash; ARGV[1]: the diff channel; then pairs (field, entry JSON
 * up to its meta).
 */
export const REMOVE = `
local leaves = {}
for i = 2, #ARGV, 2 do
  local old = redis.call('HGET', KEYS[1], ARGV[i])
  if old then
    redis.call('HDEL', KEYS[1], ARGV[i])
    leaves[#leaves + 1] = ARGV[i + 1] .. old .. '}'
  end
end
if #leaves > 0 then
  redis.call('PUBLISH', ARGV[1], '{"joins":[],"leaves":[' .. table.concat(leaves, ',') .. ']}')
end
return #leaves`;

/** A diff as it came off the channel. */
export interface Wire {
  readonly joins: Held[];
  readonly leaves: Held[];
}

/**
 * JSON of an entry up to its meta: the scripts append the meta's JSON and the
 * closing brace, so a meta is never parsed or re-encoded in Lua (cjson would
 * round numbers and turn `[]` into `{}`).
 *
 * @example
 * entryHead("n1", "s1"); // '{"node":"n1","id":"s1","meta":'
 */
export function entryHead(node: string, id: string): string {
  return `{"node":${JSON.stringify(node)},"id":${JSON.stringify(id)},"meta":`;
}

/**
 * An entry from its hash field and value, or why it is not one.
 *
 * @example
 * parseField("n1|s|1", "{}"); // held entry: node "n1", id "s|1", meta {}
 * parseField("nobar", "{}");  // "not <node>|<id>"
 */
export function parseField(field: string, raw: string): Held | string {
  // Node ids are base64url and never contain "|"; ids may.
  const bar = field.indexOf("|");
  if (bar <= 0 || bar === field.length - 1 || field.length - bar - 1 > MAX_PRESENCE_ID) return "not <node>|<id>";
  try {
    return held(field.slice(0, bar), field.slice(bar + 1), raw);
  } catch (err) {
    return String(err);
  }
}

/**
 * A diff from the channel, or undefined when it is not one.
 *
 * @example
 * parseWire('{"joins":[{"node":"n1","id":"s1","meta":1}],"leaves":[]}'); // { joins: [held], leaves: [] }
 * parseWire("[1,2]"); // undefined
 */
export function parseWire(raw: string): Wire | undefined {
  const v = jsonObject(raw);
  if (v === undefined) return undefined;
  const { joins, leaves } = v;
  const j = parseEntries(joins);
  const l = parseEntries(leaves);
  return j !== undefined && l !== undefined ? { joins: j, leaves: l } : undefined;
}

function parseEntries(v: unknown): Held[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: Held[] = [];
  for (const e of v as unknown[]) {
    if (typeof e !== "object" || e === null || !("meta" in e)) return undefined;
    const { node, id, meta } = e as { node?: unknown; id?: unknown; meta: unknown };
    if (typeof node !== "string" || node.length === 0 || node.includes("|")) return undefined;
    if (typeof id !== "string" || id.length === 0 || id.length > MAX_PRESENCE_ID) return undefined;
    out.push(held(node, id, JSON.stringify(meta), meta as Json));
  }
  return out;
}
