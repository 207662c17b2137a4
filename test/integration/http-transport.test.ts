import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { C, HEADERS, kindOf, S, type Envelope } from "../../src/protocol/messages.ts";
import { getPage } from "../support/protocol-client.ts";
import { startApp } from "../support/server.ts";
import { until } from "../support/until.ts";
import { Jar, linkToken, newLinkId } from "../support/wires.ts";

/** Resolves as `p` does, or rejects after `ms` (an answer due at once must not wait for a timeout). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** This test file is one browser: its link cookie goes with every request. */
const jar = new Jar();
const fetch = jar.fetch;

interface Answer {
  n: number;
  f: Envelope[];
}

describe("HTTP transport", () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  before(async () => {
    ctx = await startApp({ longPollMs: 300 });
  });
  after(() => ctx.app.close());

  const url = (link: string, n: number, base = ctx.base) => `${base}/weft/http?l=${link}&n=${n}`;
  const poll = async (link: string, n: number, base = ctx.base): Promise<Answer> => {
    // A link's first poll (n=0) opens it: it carries a view token.
    const res = await fetch(url(link, n, base), n === 0 ? { headers: { [HEADERS.token]: linkToken() } } : {});
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "no-store");
    return (await res.json()) as Answer;
  };
  const post = async (link: string, n: number, frames: unknown[], base = ctx.base): Promise<Answer> => {
    const res = await fetch(url(link, n, base), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(frames) });
    assert.equal(res.status, 200);
    return (await res.json()) as Answer;
  };

  async function joined(path = "/counter", base = ctx.base): Promise<{ link: string; n: number; first: Answer }> {
    const link = newLinkId();
    const hello = await poll(link, 0, base);
    assert.deepEqual(hello, { n: 0, f: [{ t: "h" }] });
    const page = await getPage(base, path);
    const first = await post(link, 0, [{ t: C.join, v: 1, d: { k: page.token } }], base);
    return { link, n: first.n, first };
  }

  it("answers the first poll of a new link at once with a hello", async () => {
    const link = newLinkId();
    assert.deepEqual(await poll(link, 0), { n: 0, f: [{ t: "h" }] });
  });

  it("answers a POST with the messages its events caused", async () => {
    const { link, n, first } = await joined();
    assert.equal(first.f.length, 1);
    assert.equal(first.f[0]!.t, S.rendered);
    const a = await post(link, n, [{ t: C.event, v: 1, r: 1, e: "inc", d: {} }, { t: C.event, v: 1, r: 2, e: "slow", d: {} }]);
    assert.deepEqual(a.f.map((m) => [kindOf(m), m.r]), [[S.diff, 1], [S.diff, 2]], "the async handler's answer is waited for");
    assert.equal(a.n, n + 2);
  });

  it("carries timer messages on the long-poll", async () => {
    const { link, n } = await joined("/ticker");
    const a = await poll(link, n);
    assert.ok(a.f.length >= 1);
    assert.ok(a.f.every((m) => kindOf(m) === S.diff));
    assert.equal(a.n, n + a.f.length, "frames are consecutive and end at n");
  });

  it("holds a poll with nothing to send for longPollMs, then answers empty", async () => {
    const { link, n } = await joined();
    const t0 = Date.now();
    const a = await poll(link, n);
    assert.deepEqual(a, { n, f: [] });
    assert.ok(Date.now() - t0 >= 250);
  });

  it("answers an older poll at once when a newer one arrives", async () => {
    // Polls here wait 60 s: an older poll answered only at its timeout misses the bound below.
    const slow = await startApp({ longPollMs: 60_000 });
    try {
      const { link, n } = await joined("/counter", slow.base);
      const older = fetch(url(link, n, slow.base)).then((r) => r.json() as Promise<Answer>);
      await until(() => slow.app.stats().polls === 1, 5000, "the older poll to wait");
      const newer = fetch(url(link, n, slow.base)).then((r) => r.json() as Promise<Answer>);
      assert.deepEqual(await within(older, 10_000, "answer to the older poll"), { n, f: [] });
      const a = await post(link, n, [{ t: C.event, v: 1, r: 1, e: "push", d: {} }], slow.base);
      assert.deepEqual(a.f.map((m) => [kindOf(m), m.e, m.r]), [[S.push, "hello", undefined], [S.reply, undefined, 1]], "the POST answer carries what its event caused");
      assert.equal(a.n, n + 2);
      // A third poll ends the newer one, which must not carry again what the POST answer carried.
      const stop = new AbortController();
      const newest = fetch(url(link, a.n, slow.base), { signal: stop.signal }).catch((err: unknown) => err);
      assert.deepEqual(await within(newer, 10_000, "answer to the newer poll"), { n: a.n, f: [] });
      stop.abort();
      assert.equal(((await newest) as Error).name, "AbortError", "the newest poll waits: nothing new came");
    } finally {
      await slow.app.close();
    }
  });

  it("hands each frame over once between the poll and the POST answer", async () => {
    const { link, n } = await joined();
    const waiting = fetch(url(link, n)).then((r) => r.json() as Promise<Answer>);
    await until(() => ctx.app.stats().polls === 1, 5000, "the poll to wait");
    const a = await post(link, n, [{ t: C.event, v: 1, r: 1, e: "inc", d: {} }]);
    const b = await waiting;
    const all = [...a.f, ...b.f];
    assert.equal(all.filter((m) => m.r === 1).length, 1);
  });

  it("sends full renders when the client's n is beyond what the link sent", async () => {
    const { link } = await joined();
    const a = await poll(link, 999);
    assert.ok(a.f.some((m) => m.t === S.rendered && typeof m.k === "string"));
  });

  describe("bad input", () => {
    const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

    it("answers a poll with n > 0 on an unknown link 410 and a POST 404", async () => {
      const gone = await fetch(url(newLinkId(), 4));
      assert.equal(gone.status, 410);
      assert.equal(await code(gone), "E_LINK_EXPIRED");
      const unknown = await fetch(url(newLinkId(), 0), { method: "POST", headers: { "content-type": "application/json" }, body: "[]" });
      assert.equal(unknown.status, 404);
      assert.equal(await code(unknown), "E_UNKNOWN_LINK");
    });

    it("makes no link for a first poll without a valid view token: 403 E_LINK_TOKEN / E_BAD_TOKEN", async () => {
      const before = ctx.app.stats().httpLinks;
      const bare = await fetch(url(newLinkId(), 0));
      assert.equal(bare.status, 403);
      assert.equal(await code(bare), "E_LINK_TOKEN");
      const forged = await fetch(url(newLinkId(), 0), { headers: { [HEADERS.token]: `${linkToken().split(".")[0]}.AAAA` } });
      assert.equal(await code(forged), "E_BAD_TOKEN");
      assert.equal(ctx.app.stats().httpLinks, before);
    });

    it("answers bad bodies 400/413/415 and a bad n 400, and the link goes on", async () => {
      const { link, n } = await joined();
      const send = (body: string, type = "application/json") => fetch(url(link, n), { method: "POST", headers: { "content-type": type }, body });
      assert.equal((await send("{nope")).status, 400);
      assert.equal((await send(JSON.stringify({ d: "a".repeat(70_000) }))).status, 413);
      assert.equal((await send("[]", "text/plain")).status, 415);
      assert.equal((await fetch(`${ctx.base}/weft/http?l=${link}&n=abc`)).status, 400);
      assert.equal((await send(JSON.stringify(new Array(300).fill({ t: "h" })))).status, 413);
      const a = await post(link, n, [{ t: C.event, v: 1, r: 1, e: "inc", d: {} }]);
      assert.deepEqual(a.f[0]!.d, { 0: "1" });
    });

    it("refuses a link id used by another transport", async () => {
      const link = newLinkId();
      await poll(link, 0);
      const res = await fetch(`${ctx.base}/weft/sse?l=${link}`);
      assert.equal(res.status, 400);
      assert.equal(await code(res), "E_BAD_LINK");
    });
  });
});
