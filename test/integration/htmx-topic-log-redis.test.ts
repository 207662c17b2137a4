/**
 * The Redis topic log on a real redis-server: a replay returns every message
 * the stream still holds after the id, exactly once and in order, although
 * `XADD MAXLEN ~` keeps more entries than `size`; publishing uses EVALSHA and
 * survives a flushed script cache.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { RedisTopicLog, STREAM } from "../../src/server/htmx/topic-log.ts";
import { RedisConnection } from "../../src/server/redis/connection.ts";
import { RedisServer, redisSkipReason } from "../support/redis.ts";
import { until } from "../support/until.ts";

const skip = redisSkipReason();

describe("RedisTopicLog on real Redis", { skip }, () => {
  const server = new RedisServer();
  let conn: RedisConnection;
  let raw: Redis;
  before(async () => {
    await server.start();
    conn = new RedisConnection(server.url, (err) => {
      throw err;
    });
    raw = new Redis(server.url, { maxRetriesPerRequest: 1 });
    await until(() => conn.cmd.status === "ready", 5000, "redis ready");
  });
  after(async () => {
    raw?.disconnect();
    await conn?.close();
    await server.close();
  });

  it("replays every later message exactly once, in order, from the oldest id the stream still holds", async () => {
    const log = new RedisTopicLog(conn, { size: 20, ttlMs: 600_000 });
    for (let i = 1; i <= 150; i++) await log.publish("jobs:many", { name: "n", payload: i });
    const held = await raw.xrange(STREAM + "jobs:many", "-", "+");
    assert.ok(held.length > 21, `MAXLEN ~ keeps more than size + 1 entries (held ${held.length})`);
    const oldest = held[0]![0];
    const firstPayload = 151 - held.length;
    const got = await log.after("jobs:many", oldest);
    assert.ok(got !== undefined, "the oldest held id is covered");
    const expected = Array.from({ length: 150 - firstPayload }, (_, k) => firstPayload + 1 + k);
    assert.deepEqual(got.map((m) => m.payload), expected);
    assert.deepEqual(got.map((m) => m.id), held.slice(1).map(([id]) => id), "the stream's ids, each once");
    // From a middle id and from the newest one.
    const mid = held[Math.floor(held.length / 2)]![0];
    assert.deepEqual((await log.after("jobs:many", mid))?.map((m) => m.id), held.slice(Math.floor(held.length / 2) + 1).map(([id]) => id));
    assert.deepEqual(await log.after("jobs:many", held.at(-1)![0]), []);
  });

  it("replays across several pages when the stream holds far more than size (size 1)", async () => {
    const log = new RedisTopicLog(conn, { size: 1, ttlMs: 600_000 });
    for (let i = 1; i <= 260; i++) await log.publish("jobs:pages", { name: "n", payload: i });
    const held = await raw.xrange(STREAM + "jobs:pages", "-", "+");
    const got = await log.after("jobs:pages", held[0]![0]);
    assert.deepEqual(got?.map((m) => m.id), held.slice(1).map(([id]) => id));
  });

  it("an id of log form past what Redis reads (a part over 2^64 - 1) is no id: undefined, not a Redis error", async () => {
    const log = new RedisTopicLog(conn, { size: 20, ttlMs: 600_000 });
    await log.publish("jobs:big", { name: "n", payload: 1 });
    for (const id of ["18446744073709551616-0", "0-18446744073709551616", "99999999999999999999-99999999999999999999"]) {
      assert.equal(await log.after("jobs:big", id), undefined, id);
    }
    await assert.rejects(raw.xrange(STREAM + "jobs:big", "18446744073709551616-0", "+"), /Invalid stream ID/, "Redis itself refuses such an id");
  });

  it("publishes by EVALSHA, and loads the script again after Redis forgot it", async () => {
    const log = new RedisTopicLog(conn, { size: 20, ttlMs: 600_000 });
    // Loads the script (if no earlier test did) before the counts start: the test does not depend on the others.
    await log.publish("jobs:sha-warm", { name: "n", payload: 0 });
    await raw.config("RESETSTAT");
    for (let i = 0; i < 5; i++) await log.publish("jobs:sha", { name: "n", payload: i });
    await raw.script("FLUSH");
    for (let i = 5; i < 10; i++) await log.publish("jobs:sha", { name: "n", payload: i });
    const stats = String(await raw.info("commandstats"));
    assert.doesNotMatch(stats, /cmdstat_eval:/, "the script body is never sent with EVAL");
    assert.match(stats, /cmdstat_evalsha:calls=11,/, "10 publishes, one retried after NOSCRIPT");
    assert.match(stats, /cmdstat_script\|load:calls=1,|cmdstat_script:calls=1,/, "loaded again once, after the flush");
    const held = await raw.xrange(STREAM + "jobs:sha", "-", "+");
    assert.deepEqual(held.map(([, f]) => JSON.parse(f[1]!).payload), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
