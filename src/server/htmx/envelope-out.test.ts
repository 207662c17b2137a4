import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { S, type Envelope } from "../../protocol/messages.ts";
import { clearErrorOut, envelopeOut, errorOut, type OutContext } from "./envelope-out.ts";

const ctx: OutContext = { errorId: "weft-error", eventOf: (r) => (r === 2 ? "add" : undefined) };
const parsed = (env: Envelope): Record<string, unknown> => JSON.parse(envelopeOut(env, ctx)!.data) as Record<string, unknown>;

describe("envelopeOut", () => {
  it("sends ctx.pushEvent as {weft: push, event, data}, named after the push on SSE", () => {
    const out = envelopeOut({ t: S.push, q: 3, e: "saved", d: { id: 1 } }, ctx)!;
    assert.deepEqual(JSON.parse(out.data), { weft: "push", event: "saved", data: { id: 1 } });
    assert.equal(out.event, "saved");
    assert.deepEqual(parsed({ t: S.push, e: "bare" }), { weft: "push", event: "bare", data: null });
  });

  it("sends nav, flash and announce as JSON named weft-nav, weft-flash, weft-announce", () => {
    const nav = envelopeOut({ t: S.nav, d: { kind: "redirect", to: "/login" } }, ctx)!;
    assert.deepEqual(JSON.parse(nav.data), { weft: "nav", kind: "redirect", to: "/login" }, "replace and external only when set");
    assert.equal(nav.event, "weft-nav");
    assert.deepEqual(parsed({ t: S.nav, d: { kind: "patch", to: "/a?p=2", replace: true } }), { weft: "nav", kind: "patch", to: "/a?p=2", replace: true });
    const flash = envelopeOut({ t: S.flash, d: { kind: "info", text: "<b>saved</b>" } }, ctx)!;
    assert.deepEqual(JSON.parse(flash.data), { weft: "flash", kind: "info", text: "<b>saved</b>" });
    assert.equal(flash.event, "weft-flash");
    const said = envelopeOut({ t: S.announce, d: { text: "3 results" } }, ctx)!;
    assert.deepEqual(JSON.parse(said.data), { weft: "announce", text: "3 results", politeness: "polite" }, "polite unless told");
    assert.equal(said.event, "weft-announce");
  });

  it("never uses the top-level keys content or payload, which htmx 4 would swap as HTML", () => {
    const envs: Envelope[] = [
      { t: S.push, e: "content", d: { content: "<p>x</p>", payload: 1 } },
      { t: S.nav, d: { kind: "navigate", to: "/x", replace: true, external: true } },
      { t: S.flash, d: { kind: "error", text: "t" } },
      { t: S.announce, d: { text: "t", politeness: "assertive" } },
    ];
    for (const env of envs) {
      const keys = Object.keys(parsed(env));
      assert.ok(!keys.includes("content") && !keys.includes("payload"), `${env.t}: ${keys.join(", ")}`);
    }
  });

  it("answers an error with the escaped error fragment, naming the event by its ref", () => {
    assert.equal(
      envelopeOut({ t: S.error, c: "E_INVALID", m: 'title: <script>"', r: 2 }, ctx)!.data,
      '<div id="weft-error" hx-swap-oob="true" role="alert" data-code="E_INVALID" data-event="add">title: &lt;script&gt;&quot;</div>',
    );
    assert.match(errorOut({ t: S.error, c: "E_NO_SUCH_CODE" }, ctx).data, /data-code="E_INTERNAL">/, "an unknown code is sent as E_INTERNAL");
  });

  it("sends nothing for replies, heartbeats, upload acks and renders", () => {
    for (const t of [S.reply, S.heartbeat, S.uploadAck, S.rendered]) assert.equal(envelopeOut({ t, r: 1 }, ctx), undefined, t);
  });
});

describe("clearErrorOut", () => {
  it("is the page's empty error slot, swapped out of band, its id escaped", () => {
    assert.equal(clearErrorOut("weft-error").data, '<div id="weft-error" hx-swap-oob="true" role="alert"></div>');
    assert.equal(clearErrorOut('a"b').data, '<div id="a&quot;b" hx-swap-oob="true" role="alert"></div>');
  });
});
