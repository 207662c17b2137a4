import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { S } from "../protocol/messages.ts";
import { defineView, html } from "../index.ts";
import { mountView } from "../testing/index.ts";
import { announceEffect, isAnnouncePayload, MAX_ANNOUNCE_CHARS } from "./announce.ts";
import { isMountEffect } from "./mount-effects.ts";

const Todos = defineView({
  mount: (p: Record<string, string>, ctx) => {
    if (p.hello !== undefined) ctx.announce(p.hello);
    return { items: [] as string[] };
  },
  events: {
    add: (s, p, ctx) => {
      const items = [...s.items, String(p.title)];
      ctx.announce(`Added “${String(p.title)}”. ${items.length} items.`);
      return { items };
    },
    fail: (s, p, ctx) => {
      ctx.announce(String(p.text), { politeness: "assertive" });
      return s;
    },
    say: (s, p, ctx) => {
      ctx.announce(p.text as string, p.politeness === undefined ? undefined : { politeness: p.politeness as "polite" });
      return s;
    },
  },
  info: {
    arrived: (s, p, ctx) => {
      ctx.announce(`New message from ${String(p)}`);
      return s;
    },
  },
  render: (s) => html`<ul>${s.items.map((t) => html`<li>${t}</li>`)}</ul>`,
});

describe("ctx.announce", () => {
  it("sends the text from an event handler, polite by default", async () => {
    const v = await mountView(Todos);
    await v.event("add", { title: "Milk" });
    await v.event("add", { title: "Eggs" });
    assert.deepEqual(v.announcements, [{ text: "Added “Milk”. 1 items." }, { text: "Added “Eggs”. 2 items." }]);
  });

  it("sends an assertive announcement with its politeness", async () => {
    const v = await mountView(Todos);
    await v.event("fail", { text: "Could not save." });
    assert.deepEqual(v.announcements, [{ text: "Could not save.", politeness: "assertive" }]);
  });

  it("sends from an info handler", async () => {
    const v = await mountView(Todos);
    await v.info("arrived", "ada");
    assert.deepEqual(v.announcements, [{ text: "New message from ada" }]);
  });

  it("delivers an announcement asked for in mount after the join", async () => {
    const v = await mountView(Todos, { params: { hello: "Welcome back." } });
    assert.deepEqual(v.announcements, [{ text: "Welcome back." }]);
  });

  it("keeps markup in the text as it is (the browser shows it as text)", async () => {
    const v = await mountView(Todos);
    await v.event("say", { text: "<img src=x onerror=alert(1)>" });
    assert.deepEqual(v.announcements, [{ text: "<img src=x onerror=alert(1)>" }]);
  });

  it("fails the handler with E_HANDLER for a text that is too long, empty, not a string, or another politeness, and sends nothing", async () => {
    const v = await mountView(Todos);
    await v.event("say", { text: "x".repeat(MAX_ANNOUNCE_CHARS) });
    assert.equal(v.announcements.length, 1, "exactly the limit is sent");
    const bad: Record<string, unknown>[] = [
      { text: "x".repeat(MAX_ANNOUNCE_CHARS + 1) },
      { text: "" },
      { text: "   " },
      { text: 42 },
      { text: { toString: 1 } },
      { text: "ok", politeness: "rude" },
      { text: "ok", politeness: "__proto__" },
    ];
    for (const p of bad) await v.event("say", p);
    assert.equal(v.announcements.length, 1);
    assert.deepEqual(v.errors.map((e) => e.code), bad.map(() => "E_HANDLER"));
    for (const e of v.errors) assert.ok(e.cause instanceof TypeError, String(e.cause));
  });

  it("fails a mount that announces a text over the limit", async () => {
    await assert.rejects(mountView(Todos, { params: { hello: "x".repeat(MAX_ANNOUNCE_CHARS + 1) } }), /at most 1000/);
  });
});

describe("announceEffect and isAnnouncePayload", () => {
  it("makes an S.announce envelope without politeness when polite", () => {
    assert.deepEqual(announceEffect("Saved."), { t: S.announce, d: { text: "Saved." } });
    assert.deepEqual(announceEffect("Saved.", { politeness: "polite" }), { t: S.announce, d: { text: "Saved." } });
    assert.deepEqual(announceEffect("Oops.", { politeness: "assertive" }), { t: S.announce, d: { text: "Oops.", politeness: "assertive" } });
  });

  it("accepts a stored mount effect only when its payload is an announcement", () => {
    assert.ok(isMountEffect(announceEffect("hi")));
    assert.ok(isAnnouncePayload({ text: "hi", politeness: "assertive" }));
    for (const d of [null, "hi", {}, { text: 1 }, { text: "x".repeat(MAX_ANNOUNCE_CHARS + 1) }, { text: "hi", politeness: "loud" }]) {
      assert.equal(isAnnouncePayload(d), false, JSON.stringify(d));
      assert.equal(isMountEffect({ t: S.announce, d }), false);
    }
  });
});
