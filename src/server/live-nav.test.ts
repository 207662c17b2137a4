import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { html } from "./template/html.ts";
import { defineView } from "./view.ts";
import { deny } from "./security/auth.ts";
import { mountView } from "../testing/mount-view.ts";
import { Router } from "./router.ts";
import { joinRoute, resolveRoute, urlFor } from "./live-nav.ts";
import { NavigationError } from "./navigation.ts";

interface Todos {
  page: number;
  seen: string[];
  clicks: number;
}

/** A paged list: the page comes from the URL, through handleParams only. */
const Todos = defineView<Todos>({
  mount: () => ({ page: 0, seen: [], clicks: 0 }),
  handleParams: (p, url, s) => ({ ...s, page: Number(p.page ?? 1), seen: [...s.seen, url] }),
  events: {
    next: (s, _p, ctx) => {
      ctx.patch(`/todos?page=${s.page + 1}`);
      return { ...s, clicks: s.clicks + 1 };
    },
    replace: (_s, _p, ctx) => ctx.patch("/todos?page=9", { replace: true }),
    open: (_s, p, ctx) => ctx.navigate(`/todos/${String(p.id)}`),
    old: (_s, _p, ctx) => ctx.navigate("/todos?page=5", { kind: "patch" }),
    away: (_s, _p, ctx) => ctx.redirect("https://example.com/", { external: true }),
    evil: (_s, _p, ctx) => ctx.patch("javascript:alert(1)"),
    nowhere: (_s, _p, ctx) => ctx.patch("/nowhere"),
    failAfterPatch: (_s, _p, ctx) => {
      ctx.patch("/todos?page=7");
      throw new Error("no");
    },
  },
  render: (s) => html`<p id="page">${s.page}</p>`,
});

describe("handleParams", () => {
  it("runs after mount with the page's URL", async () => {
    const v = await mountView(Todos, { url: "/todos?page=3" });
    assert.equal(v.text("#page"), "3");
    assert.equal(v.url, "/todos?page=3");
  });

  it("runs on a patch from the browser and the view takes the URL", async () => {
    const v = await mountView(Todos, { url: "/todos" });
    await v.patch("/todos?page=2");
    assert.equal(v.text("#page"), "2");
    assert.equal(v.url, "/todos?page=2");
    assert.deepEqual(v.errors, []);
  });

  it("runs after a handler's ctx.patch, which tells the browser to push the URL", async () => {
    const v = await mountView(Todos, { url: "/todos" });
    await v.event("next");
    assert.equal(v.text("#page"), "2");
    assert.deepEqual(v.navigations, [{ to: "/todos?page=2", kind: "patch", replace: false }]);
    await v.event("replace");
    assert.equal(v.text("#page"), "9");
    assert.deepEqual(v.navigations[1], { to: "/todos?page=9", kind: "patch", replace: true });
    await v.event("old");
    assert.equal(v.text("#page"), "5", "the older navigate(to, { kind: 'patch' }) form patches too");
  });

  it("sends a live navigation for ctx.navigate and a redirect for ctx.redirect", async () => {
    const v = await mountView(Todos, { url: "/todos" });
    await v.event("open", { id: 42 });
    await v.event("away");
    assert.deepEqual(v.navigations, [
      { to: "/todos/42", kind: "navigate", replace: false },
      { to: "https://example.com/", kind: "redirect", replace: false, external: true },
    ]);
  });

  it("refuses a hostile or unknown patch target and keeps the state and URL", async () => {
    const v = await mountView(Todos, { url: "/todos?page=4" });
    await v.event("evil");
    await v.event("nowhere");
    await v.patch("/nowhere");
    await v.event("failAfterPatch");
    assert.deepEqual(v.errors.map((e) => e.code), ["E_NAV_TARGET", "E_UNKNOWN_VIEW", "E_UNKNOWN_VIEW", "E_HANDLER"]);
    assert.equal(v.text("#page"), "4");
    assert.equal(v.url, "/todos?page=4");
    assert.deepEqual(v.navigations, [], "a failed handler's patch is not sent");
  });

  it("gives ctx.params of the current URL, copied by a spread like before", async () => {
    const Spy = defineView<{ seen: string }>({
      mount: () => ({ seen: "" }),
      events: { look: (_s, _p, ctx) => ({ seen: `${ctx.params.page ?? "-"} ${({ ...ctx }).params?.page ?? "-"}` }) },
      render: (s) => html`<p id="seen">${s.seen}</p>`,
    });
    const v = await mountView(Spy, { url: "/spy?page=1" });
    await v.patch("/spy?page=2");
    await v.event("look");
    assert.equal(v.text("#seen"), "2 2");
  });

  it("answers a patch to another view's URL with a live navigation", async () => {
    const v = await mountView(Todos, { url: "/todos", route: "/todos" });
    await v.patch("/elsewhere");
    // The test kit knows one route: another path is no view at all.
    assert.equal(v.errors[0]?.code, "E_UNKNOWN_VIEW");
  });

  it("sees a patch made while mounting: the view renders with that URL", async () => {
    const Norm = defineView<{ page: string }>({
      mount: (p, ctx) => {
        if (p.page === undefined) ctx.patch("/list?page=1");
        return { page: "" };
      },
      handleParams: (p, _u, s) => ({ ...s, page: p.page ?? "none" }),
      render: (s) => html`<p id="page">${s.page}</p>`,
    });
    const v = await mountView(Norm, { url: "/list" });
    assert.equal(v.text("#page"), "1");
    assert.equal(v.url, "/list?page=1");
  });

  it("runs auth for a patch to other params, as a page load of that URL", async () => {
    const Room = defineView({
      mount: () => ({ id: "" }),
      auth: (session, p) => (p.id === "secret" && session.admin !== true ? deny(403, "admins only") : true),
      handleParams: (p, _u, s) => ({ ...s, id: p.id ?? "" }),
      render: (s) => html`<p id="room">${s.id}</p>`,
    });
    const v = await mountView(Room, { url: "/rooms/1", route: "/rooms/:id" });
    await v.patch("/rooms/2");
    assert.equal(v.text("#room"), "2");
    await v.patch("/rooms/secret");
    assert.equal(v.errors[0]?.code, "E_FORBIDDEN");
    assert.equal(v.text("#room"), "2", "never rendered for the refused params");
    assert.equal(v.url, "/rooms/2");
  });

  it("stops a handleParams that patches forever with E_NAV_TARGET", async () => {
    const Loop = defineView<{ n: number }>({
      mount: () => ({ n: 0 }),
      handleParams: (_p, _u, s, ctx) => {
        if (ctx.connected) ctx.patch(`/loop?n=${s.n + 1}`);
        return { n: s.n + 1 };
      },
      events: { go: (_s, _p, ctx) => ctx.patch("/loop?n=0") },
      render: (s) => html`<p>${s.n}</p>`,
    });
    const v = await mountView(Loop, { url: "/loop" });
    await v.event("go");
    assert.equal(v.errors.at(-1)?.code, "E_NAV_TARGET");
  });
});

describe("navigation URLs", () => {
  const router = new Router({ "/todos": Todos, "/todos/:id": Todos } as never);

  it("resolves a path to its view with query and path params", () => {
    const r = resolveRoute(router, "/todos/42?tab=2&id=x");
    assert.equal(r?.pattern, "/todos/:id");
    assert.deepEqual({ ...r?.params }, { tab: "2", id: "42" }, "path params win over the query");
    assert.equal(r?.url, "/todos/42?tab=2&id=x");
    assert.equal(resolveRoute(router, "/nope"), undefined);
    assert.throws(() => resolveRoute(router, "javascript:alert(1)"), NavigationError);
    assert.throws(() => resolveRoute(router, "//evil.example/todos"), NavigationError);
  });

  it("takes a join's page URL only when it is one of the token's view", () => {
    assert.equal(joinRoute(router, "/todos", "https://app.example/todos?page=2")?.url, "/todos?page=2");
    assert.equal(joinRoute(router, "/todos", "https://app.example/todos/3"), undefined);
    assert.equal(joinRoute(router, "/todos", 42), undefined);
    assert.equal(joinRoute(router, "/todos", "http://["), undefined);
  });

  it("builds a URL from a pattern and params", () => {
    assert.equal(urlFor("/rooms/:id", { id: "a b", tab: "2" }), "/rooms/a%20b?tab=2");
    assert.equal(urlFor("/todos", {}), "/todos");
  });

  it("builds a URL from params a signed token should never hold, without throwing", () => {
    const hostile = JSON.parse('{"id":{"toString":1,"valueOf":1},"tab":{"toString":1},"n":7}') as Record<string, string>;
    assert.equal(urlFor("/rooms/:id", hostile), "/rooms/?tab=&n=7");
  });
});
