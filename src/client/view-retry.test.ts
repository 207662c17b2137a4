// A view that is down, in Node: a refused join is retried with backoff, the
// root carries weft-error while down, and waiting clicks go out once. Fake
// timers stand in for the clock, a fake root for the DOM.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it, mock } from "node:test";
import { C, S, type Envelope } from "../protocol/messages.ts";
import { createView, type View, type ViewHost } from "./view.ts";
import { outage } from "./view-retry.ts";

interface FakeRoot extends Element {
  attrs: Map<string, string>;
  errors: { code: string; message: string; ref: number | undefined }[];
}

/** A root with attributes, a class list and the weft:error events dispatched on it. */
function fakeRoot(): FakeRoot {
  const classes = new Set<string>();
  const attrs = new Map<string, string>();
  const errors: FakeRoot["errors"] = [];
  return {
    attrs,
    errors,
    classList: { add: (c: string) => classes.add(c), remove: (c: string) => classes.delete(c), toggle: (c: string, on: boolean) => (on ? classes.add(c) : classes.delete(c)), contains: (c: string) => classes.has(c) },
    getAttribute: (n: string) => attrs.get(n) ?? null,
    setAttribute: (n: string, v: string) => attrs.set(n, v),
    removeAttribute: (n: string) => attrs.delete(n),
    dispatchEvent: (e: Event) => {
      if (e.type === "weft:error") errors.push((e as CustomEvent<FakeRoot["errors"][number]>).detail);
      return true;
    },
  } as unknown as FakeRoot;
}

Object.assign(globalThis, { location: { href: "http://localhost/flaky" } });

/** A view on a host that is open unless told otherwise, and what it sent. */
function setup(): { view: View; root: FakeRoot; sent: Envelope[]; host: { open: boolean } } {
  const sent: Envelope[] = [];
  const host = { open: true, send: (m: Envelope) => sent.push(m), joined: () => {} } satisfies ViewHost;
  const root = fakeRoot();
  const view = createView(1, root as unknown as HTMLElement, host);
  return { view, root, sent, host };
}

const refuse = (view: View, c: string): void => view.receive({ t: S.error, v: 1, c, m: c });
const answer = (view: View, q = 1): void => view.receive({ t: S.rendered, v: 1, q, k: "token", d: "x" });
const joins = (sent: Envelope[]): number => sent.filter((m) => m.t === C.join).length;
const events = (sent: Envelope[]): (number | undefined)[] => sent.filter((m) => m.t === C.event).map((m) => m.r);

describe("View: a refused join", () => {
  beforeEach(() => mock.timers.enable({ apis: ["setTimeout"] }));
  afterEach(() => mock.timers.reset());

  it("marks the root with weft-error and its code, retries, and unmarks it on the answer", () => {
    const { view, root, sent } = setup();
    view.join();
    refuse(view, "E_MOUNT");
    assert.equal(root.attrs.get("weft-error"), "");
    assert.equal(root.attrs.get("weft-error-code"), "E_MOUNT");
    assert.equal(joins(sent), 1);
    // The first retry comes between half the base delay and the base delay (1 s).
    mock.timers.tick(499);
    assert.equal(joins(sent), 1, "retried before the backoff's lower bound");
    mock.timers.tick(501);
    assert.equal(joins(sent), 2, "no retry within the first backoff bound");
    answer(view);
    assert.equal(view.isJoined, true);
    assert.equal(root.attrs.has("weft-error"), false);
    assert.equal(root.attrs.has("weft-error-code"), false);
  });

  it("sends a click made while down exactly once, after the join is answered", () => {
    const { view, sent } = setup();
    view.join();
    refuse(view, "E_MOUNT");
    view.push("inc", {}, []);
    assert.deepEqual(events(sent), [], "an event went out to a view that is not joined");
    mock.timers.tick(1000);
    refuse(view, "E_MOUNT"); // refused again: still waiting
    mock.timers.tick(2000);
    assert.equal(joins(sent), 3);
    answer(view);
    assert.deepEqual(events(sent), [1]);
    // Acknowledged: a later rejoin does not send it again.
    view.receive({ t: S.reply, v: 1, q: 2, r: 1 });
    view.disconnected();
    view.join();
    answer(view, 2);
    assert.deepEqual(events(sent), [1]);
  });

  it("backs off exponentially with jitter, up to a cap, and reports one outage once", () => {
    const { view, root, sent } = setup();
    view.join();
    // Upper bounds of the first waits: 1, 2, 4, 8, 16, then capped at 30 s.
    for (const bound of [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]) {
      const before = joins(sent);
      refuse(view, "E_MOUNT");
      mock.timers.tick(bound / 2 - 1);
      assert.equal(joins(sent), before, `retried before ${bound / 2} ms`);
      mock.timers.tick(bound / 2 + 1);
      assert.equal(joins(sent), before + 1, `no retry within ${bound} ms`);
    }
    assert.deepEqual(root.errors.map((e) => e.code), ["E_MOUNT"], "every refusal of one outage was reported");
  });

  it("starts the backoff afresh after a join is answered", () => {
    const { view, sent } = setup();
    view.join();
    for (let i = 0; i < 4; i++) {
      refuse(view, "E_INTERNAL");
      mock.timers.tick(30_000);
    }
    answer(view);
    const before = joins(sent);
    view.disconnected();
    view.join();
    refuse(view, "E_RATE_LIMIT");
    mock.timers.tick(1000);
    assert.equal(joins(sent), before + 2, "the backoff kept its old delay after a success");
  });

  it("gives up after its retries, refusing the waiting and the new events visibly", () => {
    const { view, root, sent } = setup();
    view.join();
    view.push("inc", {}, []);
    for (let i = 0; i < 10; i++) {
      refuse(view, "E_TOO_MANY_VIEWS");
      mock.timers.tick(30_000);
    }
    const before = joins(sent);
    assert.equal(before, 11);
    refuse(view, "E_TOO_MANY_VIEWS");
    mock.timers.tick(60_000);
    assert.equal(joins(sent), before, "retried past the bound");
    assert.equal(root.attrs.get("weft-error-code"), "E_TOO_MANY_VIEWS");
    assert.match(root.errors.at(-1)!.message, /1 waiting event\(s\) dropped/);
    view.push("inc", {}, []);
    assert.equal(root.errors.at(-1)!.code, "E_TOO_MANY_VIEWS");
    assert.match(root.errors.at(-1)!.message, /^the view is down$/);
    // The link reopening tries again; an answer makes the view usable.
    view.join();
    answer(view);
    view.push("inc", {}, []);
    // Ref 1 was dropped and the refused click took no ref: the new click is ref 2.
    assert.deepEqual(events(sent), [2], "a dropped event was sent, or the new one was not");
  });

  it("does not retry a final refusal: the view stays marked and ends", () => {
    const { view, root, sent } = setup();
    view.join();
    refuse(view, "E_FORBIDDEN");
    mock.timers.tick(120_000);
    assert.equal(joins(sent), 1);
    assert.equal(view.isDead, true);
    assert.equal(root.attrs.get("weft-error-code"), "E_FORBIDDEN");
  });

  it("does not take a refused event for a refused join", () => {
    const { view, root, sent } = setup();
    view.join();
    answer(view);
    view.push("inc", {}, []);
    view.disconnected();
    view.receive({ t: S.error, v: 1, r: 1, c: "E_RATE_LIMIT" });
    mock.timers.tick(60_000);
    assert.equal(root.attrs.get("weft-error-code"), "E_CLIENT_TRANSPORT", "the link grace did not mark the root");
    assert.equal(joins(sent), 1, "an event's refusal started join retries");
  });
});

describe("View: a lost link", () => {
  beforeEach(() => mock.timers.enable({ apis: ["setTimeout"] }));
  afterEach(() => mock.timers.reset());

  it("marks the root E_CLIENT_TRANSPORT only once the link stays down past the grace", () => {
    const { view, root } = setup();
    view.join();
    answer(view);
    view.disconnected();
    mock.timers.tick(4000);
    view.disconnected(); // a failed reconnect does not restart the grace
    mock.timers.tick(999);
    assert.equal(root.attrs.has("weft-error"), false, "marked before the grace ran out");
    mock.timers.tick(1);
    assert.equal(root.attrs.get("weft-error-code"), "E_CLIENT_TRANSPORT");
    view.join();
    answer(view, 1);
    assert.equal(root.attrs.has("weft-error"), false);
  });

  it("leaves a short blip unmarked", () => {
    const { view, root } = setup();
    view.join();
    answer(view);
    view.disconnected();
    mock.timers.tick(1000);
    view.join();
    answer(view, 1);
    mock.timers.tick(60_000);
    assert.equal(root.attrs.has("weft-error"), false);
  });

  it("drops a pending retry while the link is down: the reopened link joins", () => {
    const { view, sent, host } = setup();
    view.join();
    refuse(view, "E_MOUNT");
    view.disconnected();
    host.open = false;
    mock.timers.tick(60_000);
    assert.equal(joins(sent), 1);
  });
});

describe("outage", () => {
  beforeEach(() => mock.timers.enable({ apis: ["setTimeout"] }));
  afterEach(() => mock.timers.reset());

  it("waits half the bound with no jitter and the whole bound with the most", () => {
    for (const [random, wait] of [[0, 500], [0.999, 999.5]] as const) {
      let runs = 0;
      const r = mock.method(Math, "random", () => random);
      try {
        outage(fakeRoot(), () => runs++).retry("E_MOUNT");
      } finally {
        r.mock.restore();
      }
      mock.timers.tick(wait - 1);
      assert.equal(runs, 0);
      mock.timers.tick(1);
      assert.equal(runs, 1);
    }
  });
});
