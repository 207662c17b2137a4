/**
 * A view's title as the server renders and sends it: the page's `<title>`
 * (escaped), `h` on the join's full render and on each change of the title,
 * over every transport; a throwing title fails like a render (E_RENDER).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { defineView, html, type WeftApp } from "../../src/index.ts";
import { kindOf, S } from "../../src/protocol/messages.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { startApp } from "../support/server.ts";
import { TRANSPORTS } from "../support/wires.ts";

const Titled = defineView({
  mount: (params) => ({ n: Number(params.n ?? 0), note: "" }),
  events: {
    inc: (s) => ({ ...s, n: s.n + 1 }),
    note: (s, p) => ({ ...s, note: String(p.text) }),
  },
  render: (s) => html`<p>${s.n} ${s.note}</p>`,
  title: (s) => {
    if (s.note === "boom" || s.n < 0) throw new Error("no title for that");
    return `<${s.n}> & more`;
  },
});

describe("page title from the server", () => {
  let app: WeftApp;
  let base: string;
  let errors: unknown[];
  before(async () => {
    ({ app, base, errors } = await startApp({ views: { "/titled": Titled } }));
  });
  after(() => app.close());

  it("writes the title of the mounted state into the page, escaped", async () => {
    const { html: page, status } = await getPage(base, "/titled?n=3");
    assert.equal(status, 200);
    assert.match(page, /<title>&lt;3&gt; &amp; more<\/title>/);
  });

  it("answers a page whose title throws with E_RENDER", async () => {
    const before = errors.length;
    const res = await fetch(`${base}/titled?n=-1`, { headers: { accept: "application/json" } });
    assert.equal(res.status, 500);
    assert.match(await res.text(), /E_RENDER/);
    assert.equal(errors.length, before + 1, "reported to onError");
  });

  for (const transport of TRANSPORTS) {
    it(`sends the title with the join's render and with each change of it over ${transport}`, async () => {
      const c = await ProtocolClient.connect(base, {}, transport);
      try {
        const { token } = await getPage(base, "/titled");
        const joined = await c.join(1, token);
        assert.equal(joined.h, "<0> & more");
        assert.equal((await c.event(1, "inc")).h, "<1> & more");
        const same = await c.event(1, "note", { text: "x" });
        assert.equal(kindOf(same), S.diff);
        assert.equal(same.h, undefined, "unchanged title: not sent");
        const failed = await c.event(1, "note", { text: "boom" });
        assert.deepEqual([kindOf(failed), failed.c], [S.error, "E_RENDER"]);
        assert.equal((await c.event(1, "inc")).h, "<2> & more", "the failed change was not committed");
      } finally {
        await c.close();
      }
    });
  }
});
