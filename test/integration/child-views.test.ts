/**
 * Child views (liveView): a child embedded in its parent's page has its own
 * session on the page's one link, on every transport — its events touch only
 * it, its parent's re-renders leave it alone, it ends when the parent's
 * render drops it, and its failures stay its own.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { C, kindOf, S, type Envelope } from "../../src/protocol/messages.ts";
import { childApp, childToken } from "../support/child-views.ts";
import { component, defineComponent, defineView, html, liveView } from "../../src/index.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { appsFixture } from "../support/server.ts";
import { until } from "../support/until.ts";
import { TRANSPORTS } from "../support/wires.ts";

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()) as Record<string, unknown>;

describe("child views", () => {
  /** An app per test, with its own views; every one closed after the suite. */
  const startApp = appsFixture();

  for (const transport of TRANSPORTS) {
    describe(`over ${transport}`, () => {
      it("renders the child inline with its own root and token, and joins it beside its parent on one link", async () => {
        const kit = childApp();
        const { base, errors } = await startApp({ views: kit.views });
        const page = await getPage(base, "/parent");
        assert.equal(page.status, 200);
        const token = childToken(page.html, "chat");
        assert.notEqual(token, "", page.html);
        assert.match(page.html, /<div id="chat" weft-view="\/chat" weft-token="[^"]+"><div class="chat"><p class="room">room lobby<\/p>/, "the child's first render, with its session option");
        assert.equal(kit.mounts, 1);
        const c = await ProtocolClient.connect(base, {}, transport);
        assert.equal((await c.join(1, page.token)).t, S.rendered);
        const joined = await c.join(2, token);
        assert.equal(joined.t, S.rendered, JSON.stringify(joined));
        assert.equal(kit.mounts, 1, "the child's join takes its page mount: mount ran once");
        // A child event answers on the child only.
        const bumped = await c.event(2, "bump");
        assert.equal(kindOf(bumped), S.diff);
        assert.match(c.views.get(2)!.html(), /n 1/);
        // A parent event answers on the parent only; its diff does not touch the child's root.
        const inc = await c.event(1, "inc");
        assert.equal(kindOf(inc), S.diff);
        assert.doesNotMatch(JSON.stringify(inc.d), /weft-token|chat/, "the child's root is unchanged in the parent's tree");
        assert.ok(c.views.get(1)!.html().includes(token), "the same child root and token");
        const again = await c.event(2, "bump");
        assert.equal(kindOf(again), S.diff);
        assert.match(c.views.get(2)!.html(), /n 2/, "the child's state went on through the parent's render");
        assert.deepEqual((await c.quiet(100)).filter((m) => m.v === 2), [], "nothing more for the child");
        await c.close();
        assert.deepEqual(errors, []);
      });

      it("ends the child's session (terminate \"closed\") when the parent's render drops it, and mints a new child when it comes back", async () => {
        const kit = childApp();
        const { app, base } = await startApp({ views: kit.views });
        const page = await getPage(base, "/parent");
        const token = childToken(page.html, "chat");
        const c = await ProtocolClient.connect(base, {}, transport);
        await c.join(1, page.token);
        await c.join(2, token);
        await c.event(2, "bump");
        const sessions = app.stats().sessions;
        await c.event(1, "toggle");
        await until(() => kit.ended.length > 0, 5000, "the child's terminate");
        assert.deepEqual(kit.ended, [["lobby", "closed"]]);
        assert.equal(app.stats().sessions, sessions - 1);
        assert.doesNotMatch(c.views.get(1)!.html(), /weft-token/);
        const gone = await c.event(2, "bump");
        assert.equal(gone.c, "E_NOT_JOINED", JSON.stringify(gone));
        // The browser's leave for the removed root finds the session ended: no error answers it.
        c.send({ t: C.leave, v: 2 });
        assert.deepEqual(await c.quiet(150), []);
        // Shown again: a new child (new session, new token) that mounts live at its join.
        await c.event(1, "toggle");
        const fresh = childToken(c.views.get(1)!.html(), "chat");
        assert.ok(fresh !== "" && fresh !== token, "a new token for a new child");
        assert.notEqual(claimsOf(fresh).sid, claimsOf(token).sid);
        const joined = await c.join(3, fresh);
        assert.equal(joined.t, S.rendered, JSON.stringify(joined));
        assert.match(c.views.get(3)!.html(), /room lobby<\/p>.*n 0/);
        await c.close();
      });

      it("refuses a render with two children of one id (E_RENDER naming it) and keeps the parent's last good state", async () => {
        const kit = childApp();
        const { base, errors } = await startApp({ views: kit.views });
        const page = await getPage(base, "/parent");
        const c = await ProtocolClient.connect(base, {}, transport);
        await c.join(1, page.token);
        await c.join(2, childToken(page.html, "chat"));
        const dup = await c.event(1, "dup");
        assert.equal(dup.c, "E_RENDER", JSON.stringify(dup));
        assert.match(String((errors[0] as Error)?.message), /several child views with the id "chat"/);
        // The parent and its child go on.
        assert.equal(kindOf(await c.event(1, "inc")), S.diff);
        assert.equal(kindOf(await c.event(2, "bump")), S.diff);
        assert.deepEqual(kit.ended, []);
        await c.close();
      });

      it("shows a child's failing mount or handler on the child only; the parent keeps working", async () => {
        const kit = childApp();
        const { base } = await startApp({ views: kit.views });
        const page = await getPage(base, "/faulty-page");
        assert.equal(page.status, 200, "the page renders without the failing child's content");
        assert.match(page.html, /<div id="faulty" weft-view="\/faulty" weft-token="[^"]+"><\/div>/);
        const c = await ProtocolClient.connect(base, {}, transport);
        await c.join(1, page.token);
        const refused = await c.join(2, childToken(page.html, "faulty"));
        assert.equal(refused.c, "E_MOUNT", JSON.stringify(refused));
        await c.join(3, childToken(page.html, "chat"));
        const boom = await c.event(3, "boom");
        assert.equal(boom.c, "E_HANDLER");
        assert.equal(kindOf(await c.event(1, "inc")), S.diff, "the parent works");
        assert.equal(kindOf(await c.event(3, "bump")), S.diff, "the child works after its handler failed");
        assert.match(c.views.get(1)!.html(), /parent 1/);
        await c.close();
      });
    });
  }

  it("mints the children of a parent mounted afresh at its join (its page's mount expired), and they join", async () => {
    const kit = childApp();
    const { base, errors } = await startApp({ views: kit.views, joinTimeoutMs: 1 });
    const page = await getPage(base, "/parent");
    await new Promise((r) => setTimeout(r, 20));
    const c = await ProtocolClient.connect(base);
    const joined = await c.join(1, page.token);
    assert.equal(joined.t, S.rendered, JSON.stringify(joined));
    const token = childToken(c.views.get(1)!.html(), "chat");
    assert.ok(token !== "" && token !== childToken(page.html, "chat"), "a new child for the new parent session");
    const child = await c.join(2, token);
    assert.equal(child.t, S.rendered, JSON.stringify(child));
    assert.match(c.views.get(2)!.html(), /room lobby/);
    await c.close();
    assert.deepEqual(errors, []);
  });

  it("keeps a child view inside a component through the component's own events and the view's renders; its root's leave ends it", async () => {
    const kit = childApp();
    const Card = defineComponent({
      mount: () => ({ k: 0, chat: true }),
      events: { inc: (s) => ({ ...s, k: s.k + 1 }), hide: (s) => ({ ...s, chat: false }) },
      render: (s) => html`<div><button weft-click="inc">${s.k}</button>${s.chat ? liveView(kit.views["/chat"]!, { id: "inner", session: { room: "card" } }) : null}</div>`,
    });
    const Page = defineView({ mount: () => ({ n: 0 }), events: { inc: (s) => ({ n: s.n + 1 }) }, render: (s) => html`<main>${s.n}${component(Card, { id: "a" })}</main>` });
    const { base, errors } = await startApp({ views: { ...kit.views, "/cards": Page } });
    const page = await getPage(base, "/cards");
    const token = childToken(page.html, "inner");
    assert.notEqual(token, "");
    const c = await ProtocolClient.connect(base);
    await c.join(1, page.token);
    await c.join(2, token);
    c.send({ t: C.event, v: 1, r: 1, e: "inc", d: {}, g: "a" });
    const own = await c.next((m) => m.v === 1 && m.r === 1);
    assert.notEqual(own.t, S.error, JSON.stringify(own));
    assert.equal(kindOf(await c.event(2, "bump", {}, 1)), S.diff, "the child goes on");
    assert.equal(kindOf(await c.event(1, "inc", {}, 2)), S.diff, "the view's own render keeps it too");
    assert.deepEqual(kit.ended, []);
    // The component hides it: its root leaves the page, and the browser's leave ends its session.
    c.send({ t: C.event, v: 1, r: 3, e: "hide", d: {}, g: "a" });
    await c.next((m) => m.v === 1 && m.r === 3);
    await c.event(1, "inc", {}, 4);
    assert.deepEqual(kit.ended, [], "the view's render ends no child a component holds");
    c.send({ t: C.leave, v: 2 });
    await until(() => kit.ended.length > 0, 5000, "the child's terminate");
    assert.deepEqual(kit.ended, [["card", "closed"]]);
    await c.close();
    assert.deepEqual(errors, []);
  });

  it("keeps a child view a component placed when the view re-renders before any event of the component (the component is carried, not re-rendered)", async () => {
    const kit = childApp();
    const Card = defineComponent({ mount: () => ({}), render: () => html`<div>${liveView(kit.views["/chat"]!, { id: "inner", session: { room: "card" } })}</div>` });
    const Page = defineView({ mount: () => ({ n: 0 }), events: { inc: (s) => ({ n: s.n + 1 }) }, render: (s) => html`<main>${s.n}${component(Card, { id: "a" })}</main>` });
    const { base, errors } = await startApp({ views: { ...kit.views, "/cards": Page } });
    const page = await getPage(base, "/cards");
    const c = await ProtocolClient.connect(base);
    await c.join(1, page.token);
    await c.join(2, childToken(page.html, "inner"));
    assert.equal(kindOf(await c.event(1, "inc", {}, 1)), S.diff);
    assert.equal(kindOf(await c.event(2, "bump", {}, 2)), S.diff, "the child goes on");
    assert.deepEqual(kit.ended, [], "the view's render ends no child a carried component holds");
    await c.close();
    assert.deepEqual(errors, []);
  });

  it("keeps the view's own child view through a component's own event (a partial render ends no child it did not see)", async () => {
    const kit = childApp();
    const Card = defineComponent({ mount: () => ({ k: 0 }), events: { inc: (s) => ({ k: s.k + 1 }) }, render: (s) => html`<div><button weft-click="inc">${s.k}</button></div>` });
    const Page = defineView({
      mount: () => ({ n: 0 }),
      events: { inc: (s) => ({ n: s.n + 1 }) },
      render: (s) => html`<main>${s.n}${liveView(kit.views["/chat"]!, { id: "outer", session: { room: "outer" } })}${component(Card, { id: "a" })}</main>`,
    });
    const { base, errors } = await startApp({ views: { ...kit.views, "/cards": Page } });
    const page = await getPage(base, "/cards");
    const c = await ProtocolClient.connect(base);
    await c.join(1, page.token);
    await c.join(2, childToken(page.html, "outer"));
    for (let r = 1; r <= 3; r++) {
      c.send({ t: C.event, v: 1, r, e: "inc", d: {}, g: "a" });
      assert.notEqual((await c.next((m) => m.v === 1 && m.r === r)).t, S.error);
    }
    assert.deepEqual(kit.ended, [], "no child ended by the component's renders");
    assert.equal(kindOf(await c.event(2, "bump", {}, 1)), S.diff, "the child goes on");
    assert.equal(kindOf(await c.event(1, "inc", {}, 4)), S.diff);
    assert.deepEqual(kit.ended, []);
    await c.close();
    assert.deepEqual(errors, []);
  });

  it("answers a page whose render has two children of one id with 500, reporting the id", async () => {
    const kit = childApp();
    const Twice = defineView({ mount: () => ({}), render: () => html`${liveView(kit.views["/chat"]!, { id: "chat" })}${liveView(kit.views["/chat"]!, { id: "chat" })}` });
    const { base, errors } = await startApp({ views: { ...kit.views, "/twice": Twice } });
    const res = await fetch(`${base}/twice`);
    assert.equal(res.status, 500);
    assert.match(String(errors.map((e) => (e as Error).message)), /several child views with the id "chat"/);
  });

  it("fails the parent's render (E_RENDER) for a child session that is not JSON", async () => {
    const kit = childApp();
    const Bad = defineView({ mount: () => ({}), events: { go: (s) => s }, render: () => html`${liveView(kit.views["/chat"]!, { id: "c", session: { when: new Date(0) } })}` });
    const { base, errors } = await startApp({ views: { ...kit.views, "/bad-session": Bad } });
    assert.equal((await fetch(`${base}/bad-session`)).status, 500);
    assert.match(String(errors.map((e) => (e as Error).message)), /its session must be JSON/);
  });

  it("refuses a child token that was tampered with (E_BAD_TOKEN) or that another user's request presents (E_FORBIDDEN)", async () => {
    const kit = childApp();
    const { base } = await startApp({ views: kit.views, authorize: (req) => ({ id: String(req.headers["x-user"] ?? "anon") }) });
    const html = await (await fetch(`${base}/parent`, { headers: { "x-user": "ada" } })).text();
    const token = childToken(html, "chat");
    const other = await (await fetch(`${base}/parent`, { headers: { "x-user": "bob" } })).text();
    // Ada's child token with Bob's child's session id (and Ada's signature): a forged id.
    const [body, sig] = token.split(".") as [string, string];
    const forged = `${Buffer.from(JSON.stringify({ ...claimsOf(token), sid: claimsOf(childToken(other, "chat")).sid })).toString("base64url")}.${sig}`;
    void body;
    const bob = await ProtocolClient.connect(base, { "x-user": "bob" });
    assert.equal((await bob.join(1, forged)).c, "E_BAD_TOKEN");
    assert.equal((await bob.join(2, token)).c, "E_FORBIDDEN", "Ada's child is not Bob's");
    const ada = await ProtocolClient.connect(base, { "x-user": "ada" });
    assert.equal((await ada.join(1, token)).t, S.rendered);
    await Promise.all([bob.close(), ada.close()]);
  });

  it("signs the child's session option into its token beside the page's session data, which it may not change", async () => {
    const kit = childApp();
    const { base } = await startApp({ views: kit.views, authorize: () => ({ room: "taken" }) });
    const res = await fetch(`${base}/parent`);
    assert.equal(res.status, 500, "the parent's render refuses a child session that overwrites the page's");
    const ok = await startApp({ views: kit.views, authorize: () => ({ user: "ada" }) });
    const page = await getPage(ok.base, "/parent");
    const claims = claimsOf(childToken(page.html, "chat"));
    assert.deepEqual(claims.data, { user: "ada", room: "lobby" });
    assert.deepEqual(claims.c, { p: claimsOf(page.token).sid, i: "chat", k: ["room"] });
    // The whole session data is the identity here: the child's extra key does not make it another user.
    const c = await ProtocolClient.connect(ok.base);
    const m: Envelope = await c.join(1, childToken(page.html, "chat"));
    assert.equal(m.t, S.rendered, JSON.stringify(m));
    // The join's fresh token keeps the child claim: a rejoin with it (a new link) is the same user.
    assert.deepEqual(claimsOf(m.k!).c, claims.c);
    const again = await ProtocolClient.connect(ok.base);
    assert.equal((await again.join(1, m.k!, m.q)).t, S.reply);
    await Promise.all([c.close(), again.close()]);
  });
});
