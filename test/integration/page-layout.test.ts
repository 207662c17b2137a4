/** The page layout gets every part escaped: a request path cannot add markup to the page. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { WeftApp } from "../../src/index.ts";
import { elements } from "../support/html-tree.ts";
import { startApp } from "../support/server.ts";
import { Counter } from "../support/views.ts";

describe("page layout", () => {
  let ctx: { app: WeftApp; base: string };
  before(async () => {
    ctx = await startApp({
      views: { "/rooms/:id": Counter },
      layout: (p) => `<!doctype html><html><head><title>${p.title}</title>${p.script}</head>` +
        `<body><a href='${p.path}' title="${p.path}">here</a>${p.path}${p.body}</body></html>`,
    });
  });
  after(() => ctx.app.close());

  it("escapes the request path it hands to the layout", async () => {
    // WHATWG URL parsing leaves `'`, `&` and `=` in a path as they are.
    const hostile = `/rooms/x'onmouseover='alert(1)'&amp;`;
    const res = await fetch(ctx.base + hostile);
    assert.equal(res.status, 200);
    const page = await res.text();
    const links = elements(page).filter((e) => e.tag === "a");
    assert.equal(links.length, 1, page);
    assert.deepEqual(links[0]!.attrs.map((a) => a.name), ["href", "title"]);
    assert.equal(links[0]!.attrs[0]!.value, hostile);
    assert.equal(links[0]!.attrs[1]!.value, hostile);
  });
});
