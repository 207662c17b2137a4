// A view's live navigation and live patches, in Node with a fake root: the
// navigate frame until the join is answered, the patch as a ref of the event
// sequence, and a refusal turned into a page load of the URL.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { C, S, type Envelope } from "../protocol/messages.ts";
import { createView, type View, type ViewHost } from "./view.ts";

const replaced: string[] = [];
// `document` answers only the flash slot's lookup (a navigated view's first render empties the slot: flash.ts).
Object.assign(globalThis, { location: { href: "http://localhost/todos", replace: (u: string) => replaced.push(u) }, document: { querySelector: () => null } });

function fakeRoot(): Element {
  const classes = new Set<string>();
  const attrs = new Map<string, string>();
  return {
    classList: { add: (c: string) => classes.add(c), remove: (c: string) => classes.delete(c), toggle: (c: string, on: boolean) => (on ? classes.add(c) : classes.delete(c)), contains: (c: string) => classes.has(c) },
    getAttribute: (n: string) => attrs.get(n) ?? null,
    setAttribute: (n: string, v: string) => attrs.set(n, v),
    removeAttribute: (n: string) => attrs.delete(n),
    dispatchEvent: () => true,
  } as unknown as Element;
}

function setup(nav?: { k: string; u: string; f: number }): { view: View; sent: Envelope[] } {
  const sent: Envelope[] = [];
  const host = { open: true, send: (m: Envelope) => sent.push(m), joined: () => {} } satisfies ViewHost;
  return { view: createView(2, fakeRoot() as HTMLElement, host, nav), sent };
}

const answer = (view: View, q = 1): void => view.receive({ t: S.rendered, v: 2, q, k: "fresh", d: "x" });

describe("View: live navigation", () => {
  it("joins with a navigate frame until answered, then rejoins with its own token", () => {
    const { view, sent } = setup({ k: "old", u: "/todos/42", f: 1 });
    let live = 0;
    view.onLive = () => live++;
    view.join();
    assert.deepEqual(sent[0], { t: C.navigate, v: 2, d: { k: "old", u: "/todos/42", f: 1 } });
    view.join(); // a reconnect before the answer: the navigation again
    assert.equal(sent[1]?.t, C.navigate);
    answer(view);
    assert.equal(live, 1, "onLive once, after the first answer");
    view.join();
    assert.equal(sent[2]?.t, C.join);
    assert.equal((sent[2]?.d as { k: string }).k, "fresh");
    answer(view, 2);
    assert.equal(live, 1);
  });

  it("loads the page of a navigation the server refuses", () => {
    replaced.length = 0;
    const { view } = setup({ k: "old", u: "/secret", f: 1 });
    view.join();
    view.receive({ t: S.error, v: 2, c: "E_FORBIDDEN", m: "no" });
    assert.deepEqual(replaced, ["/secret"]);
    assert.equal(view.isDead, true);
  });
});

describe("View: live patch", () => {
  it("sends a patch with the next ref and calls back once it is answered", () => {
    const { view, sent } = setup();
    view.join();
    answer(view);
    let done = 0;
    view.push("inc", {}, []);
    view.patchTo("/todos?page=2", [], () => done++);
    assert.deepEqual(sent.slice(-1)[0], { t: C.patch, v: 2, d: { u: "/todos?page=2" }, r: 2 });
    view.receive({ t: S.reply, v: 2, q: 2, r: 1 });
    assert.equal(done, 0, "not before its own ref");
    view.receive({ d: { 0: "y" }, v: 2, q: 3, r: 2 });
    assert.equal(done, 1);
  });

  it("loads the page of a patch refused as a page would be; other refusals are only reported", () => {
    replaced.length = 0;
    const { view } = setup();
    view.join();
    answer(view);
    view.patchTo("/nope", []);
    view.receive({ t: S.error, v: 2, q: 2, r: 1, c: "E_NAV_TARGET", m: "loop" });
    assert.deepEqual(replaced, []);
    view.patchTo("/nope", []);
    view.receive({ t: S.error, v: 2, q: 3, r: 2, c: "E_UNKNOWN_VIEW", m: "no view" });
    assert.deepEqual(replaced, ["/nope"]);
  });
});
