import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { S, type FlashPayload } from "../protocol/messages.ts";
import { defineView, html } from "../index.ts";
import { mountView } from "../testing/index.ts";
import { addFlash, checkFlash, flashEffect, flashSlot, isFlashPayload, MAX_FLASH_CHARS, MAX_FLASHES_PER_KIND, mergeFlashes, withFlashSlot } from "./flash.ts";
import { isMountEffect } from "./mount-effects.ts";

const Form = defineView({
  mount: (p: Record<string, string>, ctx) => {
    if (p.hello !== undefined) ctx.flash("info", p.hello);
    return { saved: 0 };
  },
  events: {
    save: (s, _p, ctx) => {
      ctx.flash("info", "Saved.");
      return { saved: s.saved + 1 };
    },
    say: (s, p, ctx) => {
      ctx.flash(p.kind as "info", p.text as string);
      return s;
    },
  },
  info: {
    failed: (s, p, ctx) => {
      ctx.flash("error", String(p));
      return s;
    },
  },
  render: (s) => html`<p>${s.saved}</p>`,
});

describe("ctx.flash", () => {
  it("sends an info flash from an event handler and an error flash from an info handler", async () => {
    const v = await mountView(Form);
    await v.event("save");
    await v.info("failed", "Could not sync.");
    assert.deepEqual(v.flashes, [{ kind: "info", text: "Saved." }, { kind: "error", text: "Could not sync." }]);
  });

  it("sends a flash asked for in mount after the join's render", async () => {
    const v = await mountView(Form, { params: { hello: "Welcome back." } });
    assert.deepEqual(v.flashes, [{ kind: "info", text: "Welcome back." }]);
  });

  it("keeps markup in the text as it is (escaped in HTML, text in the browser)", async () => {
    const v = await mountView(Form);
    await v.event("say", { kind: "info", text: "<img src=x onerror=alert(1)>" });
    assert.deepEqual(v.flashes, [{ kind: "info", text: "<img src=x onerror=alert(1)>" }]);
  });

  it("fails the handler with E_HANDLER for another kind, or a text that is too long, blank or not a string, and sends nothing", async () => {
    const v = await mountView(Form);
    await v.event("say", { kind: "error", text: "x".repeat(MAX_FLASH_CHARS) });
    assert.equal(v.flashes.length, 1, "exactly the limit is sent");
    const bad: Record<string, unknown>[] = [
      { kind: "warning", text: "ok" },
      { kind: "__proto__", text: "ok" },
      { kind: undefined, text: "ok" },
      { kind: "info", text: "x".repeat(MAX_FLASH_CHARS + 1) },
      { kind: "info", text: "" },
      { kind: "info", text: " \n " },
      { kind: "info", text: 42 },
      { kind: "info", text: { toString: () => "hi" } },
    ];
    for (const p of bad) await v.event("say", p);
    assert.equal(v.flashes.length, 1);
    assert.deepEqual(v.errors.map((e) => e.code), bad.map(() => "E_HANDLER"));
    for (const e of v.errors) assert.ok(e.cause instanceof TypeError, String(e.cause));
  });

  it("fails a mount that flashes another kind", async () => {
    const Bad = defineView({ mount: (_p, ctx) => (ctx.flash("warn" as "info", "x"), {}), render: () => html`<p></p>` });
    await assert.rejects(mountView(Bad), /kind must be "info" or "error", not "warn"/);
  });
});

describe("flash payloads", () => {
  it("makes an S.flash envelope that a stored snapshot's check accepts", () => {
    assert.deepEqual(flashEffect("info", "Saved."), { t: S.flash, d: { kind: "info", text: "Saved." } });
    assert.ok(isMountEffect(flashEffect("error", "No.")));
    for (const d of [null, "hi", {}, { kind: "info" }, { kind: "warn", text: "hi" }, { kind: "info", text: 1 }, { kind: "info", text: "" }, { kind: "info", text: "x".repeat(MAX_FLASH_CHARS + 1) }]) {
      assert.equal(isFlashPayload(d), false, JSON.stringify(d));
      assert.equal(isMountEffect({ t: S.flash, d }), false);
    }
  });

  it("keeps at most MAX_FLASHES_PER_KIND of each kind, dropping the oldest of that kind", () => {
    const list: FlashPayload[] = [];
    addFlash(list, checkFlash("error", "e0"));
    for (let i = 0; i < MAX_FLASHES_PER_KIND + 2; i++) addFlash(list, checkFlash("info", `i${i}`));
    assert.deepEqual(list.map((f) => f.text), ["e0", ...Array.from({ length: MAX_FLASHES_PER_KIND }, (_, i) => `i${i + 2}`)]);
    const merged = mergeFlashes([{ kind: "info", text: "a" }], [{ kind: "info", text: "b" }, { kind: "info", text: "c" }, { kind: "info", text: "d" }]);
    assert.deepEqual(merged.map((f) => f.text), ["b", "c", "d"]);
  });
});

describe("the flash slot", () => {
  it("renders each flash escaped, with its role and a Dismiss button", () => {
    const html = flashSlot([{ kind: "info", text: `<b>"Hi" & 'bye'</b>` }, { kind: "error", text: "No." }]);
    assert.equal(html,
      `<div weft-flash><div class="weft-flash-info" role="status">&lt;b&gt;&quot;Hi&quot; &amp; &#39;bye&#39;&lt;/b&gt;<button type="button" aria-label="Dismiss">×</button></div>` +
      `<div class="weft-flash-error" role="alert">No.<button type="button" aria-label="Dismiss">×</button></div></div>`);
    assert.equal(flashSlot([]), "<div weft-flash></div>");
  });

  it("places a slot after <body> in a page that has none, and leaves a page with one alone", () => {
    const slot = flashSlot([{ kind: "info", text: "x" }]);
    assert.equal(withFlashSlot(`<html><BODY class="a"><main></main></BODY></html>`, slot), `<html><BODY class="a">${slot}<main></main></BODY></html>`);
    assert.equal(withFlashSlot(`<main></main>`, slot), `${slot}<main></main>`);
    const own = `<body><section class="f" weft-flash=""></section></body>`;
    assert.equal(withFlashSlot(own, slot), own);
    // The attribute's name as text (escaped in a view) is no slot.
    assert.equal(withFlashSlot(`<body><p>&lt;div weft-flash&gt;</p><p data-x="weft-flash">t</p></body>`, slot), `<body>${slot}<p>&lt;div weft-flash&gt;</p><p data-x="weft-flash">t</p></body>`);
  });
});
