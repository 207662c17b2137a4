// The view's handling of refused events, in Node: a fake root and fake
// elements stand in for the DOM (only classList, attributes and events are used).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { C, CLASS, S, type Envelope } from "../protocol/messages.ts";
import { limits } from "./limits.ts";
import { createView, type View, type ViewHost } from "./view.ts";

/** `detail` of every event dispatched on a fake element. */
const dispatched: unknown[] = [];

/** An element with a class list and attributes, enough for the loading state and the view root. */
function fakeElement(): Element {
  const classes = new Set<string>();
  return {
    classList: { add: (c: string) => classes.add(c), remove: (c: string) => classes.delete(c), toggle: (c: string, on: boolean) => (on ? classes.add(c) : classes.delete(c)), contains: (c: string) => classes.has(c) },
    getAttribute: () => null,
    setAttribute: () => {}, // the down marks (view-retry.ts)
    removeAttribute: () => {},
    attributes: [], // no weft-optimistic-* (optimistic.ts)
    dispatchEvent: (e: Event) => dispatched.push((e as CustomEvent).detail),
  } as unknown as Element;
}

// The page globals the view reads.
Object.assign(globalThis, { location: { href: "http://localhost/form" } });

const loading = (el: Element): boolean => el.classList.contains(CLASS.loading);

/** A joined view (its join answered; the DOM patch fails harmlessly on the fake root) and what it sent. */
function joinedView(): { view: View; sent: Envelope[] } {
  const sent: Envelope[] = [];
  const host: ViewHost = { open: true, send: (m) => sent.push(m), joined: () => {} };
  const view = createView(1, fakeElement() as HTMLElement, host);
  view.join();
  view.receive({ t: S.rendered, v: 1, q: 1, k: "token", d: "x" });
  assert.equal(view.isJoined, true);
  sent.length = 0;
  return { view, sent };
}

describe("View: refused events", () => {
  it("clears the loading state of an event refused outside the stream, and only of that event", () => {
    const { view, sent } = joinedView();
    const [a, b] = [fakeElement(), fakeElement()];
    view.push("save", {}, [a]); // ref 1
    view.push("save", { big: "…" }, [b]); // ref 2
    view.receive({ t: S.error, v: 1, r: 2, c: "E_TOO_LARGE", m: "too large" });
    assert.equal(loading(b), false, "the refused event's element keeps weft-loading");
    assert.equal(loading(a), true, "an earlier event still in flight lost its loading state");
    // The refused event is forgotten: a rejoin resends only ref 1.
    view.disconnected();
    view.join();
    sent.length = 0;
    view.receive({ t: S.rendered, v: 1, q: 2, k: "token", d: "x" });
    assert.deepEqual(sent.filter((m) => m.t === C.event).map((m) => m.r), [1]);
  });

  it("stays usable after a refusal: the next event goes out and is acknowledged", () => {
    const { view, sent } = joinedView();
    const form = fakeElement();
    view.push("save", { big: "…" }, [form]);
    view.receive({ t: S.error, v: 1, r: 1, c: "E_TOO_LARGE" });
    view.push("save", {}, [form]);
    assert.equal(loading(form), true);
    assert.deepEqual(sent.map((m) => m.r), [1, 2]);
    view.receive({ t: S.reply, v: 1, q: 2, r: 2 });
    assert.equal(loading(form), false);
  });

  it("clears loading states that no resent event can answer when a join is answered", () => {
    const { view } = joinedView();
    const el = fakeElement();
    view.push("save", {}, [el]);
    // An event the server no longer knows (not in unacked) leaves a stale lock behind.
    view.loading.add(fakeElement(), 99);
    view.disconnected();
    view.join();
    view.receive({ t: S.rendered, v: 1, q: 2, k: "token", d: "x" });
    assert.equal(loading(el), true, "an event that is resent lost its loading state");
    const stale = fakeElement();
    view.loading.add(stale, 0);
    view.join();
    view.receive({ t: S.rendered, v: 1, q: 3, k: "token", d: "x" });
    assert.equal(loading(stale), false);
  });

  it("puts an event's ref before its payload, where the server finds it in a frame it refuses unparsed", () => {
    const { view, sent } = joinedView();
    view.push("save", { text: "x".repeat(10_000) }, []);
    const frame = JSON.stringify(sent[0]);
    assert.ok(frame.indexOf('"r":1') >= 0 && frame.indexOf('"r":1') < frame.indexOf('"d":'), frame.slice(0, 80));
  });

  it("refuses itself an event over the page's announced limit: nothing sent, an error naming its ref, no loading state", () => {
    const { view, sent } = joinedView();
    const form = fakeElement();
    const before = limits.maxBytes;
    limits.maxBytes = 1024;
    try {
      dispatched.length = 0;
      view.push("save", { text: "x".repeat(2000) }, [form]);
      assert.equal(sent.length, 0);
      assert.equal(loading(form), false);
      assert.deepEqual(dispatched, [{ code: "E_TOO_LARGE", message: "over 1024 bytes", ref: 1, view: 1 }]);
      view.push("save", { text: "ok" }, [form]);
      assert.deepEqual(sent.map((m) => m.r), [2]);
    } finally {
      limits.maxBytes = before;
    }
  });

  it("refuses an event whose payload JSON cannot carry with E_BAD_FRAME: nothing sent, reported, the view goes on", () => {
    const { view, sent } = joinedView();
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    dispatched.length = 0;
    assert.equal(view.push("save", cycle, []), "E_BAD_FRAME");
    assert.equal(view.push("save", { n: 1n }, []), "E_BAD_FRAME");
    assert.equal(sent.length, 0);
    assert.deepEqual(dispatched, [{ code: "E_BAD_FRAME", message: "not JSON", ref: 1, view: 1 }, { code: "E_BAD_FRAME", message: "not JSON", ref: 2, view: 1 }]);
    assert.equal(view.push("save", {}, []), 3);
    assert.deepEqual(sent.map((m) => m.r), [3]);
  });

  it("answers an event of a dead view with its down code, or E_NOT_JOINED, and reports nothing (its root is gone or another view's)", () => {
    const { view, sent } = joinedView();
    view.retire(); // a live navigation replaced it
    dispatched.length = 0;
    assert.equal(view.push("save", {}, []), "E_NOT_JOINED");
    const host: ViewHost = { open: true, send: (m) => sent.push(m), joined: () => {} };
    const refused = createView(2, fakeElement() as HTMLElement, host);
    refused.join();
    refused.receive({ t: S.error, v: 2, c: "E_BAD_TOKEN", m: "bad token" }); // refused for good
    assert.equal(refused.isDead, true);
    dispatched.length = 0;
    assert.equal(refused.push("save", {}, []), "E_BAD_TOKEN");
    assert.deepEqual(dispatched, []);
    assert.deepEqual(sent.filter((m) => m.t === C.event), []);
  });
});
