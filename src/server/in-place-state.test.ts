import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineView, html } from "../index.ts";
import { mountView } from "../testing/index.ts";

interface Todos {
  items: string[];
  seen: number;
}

/** Handlers that change the state in place: one returns the same object, one returns nothing. */
const InPlace = defineView({
  mount: (): Todos => ({ items: ["a"], seen: 0 }),
  events: {
    push: (s: Todos) => {
      s.items.push(`x${s.items.length}`);
      return s;
    },
    bump: (s: Todos) => {
      s.seen += 1;
    },
    nothing: (s: Todos) => s,
  },
  info: {
    arrived: (s: Todos, p: unknown) => {
      s.items.push(String(p));
    },
  },
  render: (s) => html`<div><p id="seen">${s.seen}</p><ul>${s.items.map((i) => html`<li id=${i}>${i}</li>`)}</ul></div>`,
});

describe("a handler that changes the state in place", () => {
  it("shows the change when it returns the same object", async () => {
    const v = await mountView(InPlace);
    await v.event("push");
    assert.equal(v.count("li"), 2);
    assert.equal(v.text("#x1"), "x1");
  });

  it("shows the change when it returns nothing", async () => {
    const v = await mountView(InPlace);
    await v.event("bump");
    await v.event("bump");
    assert.equal(v.text("#seen"), "2");
  });

  it("shows the change made in place by an info handler", async () => {
    const v = await mountView(InPlace);
    await v.info("arrived", "from-pubsub");
    assert.equal(v.text("#from-pubsub"), "from-pubsub");
  });

  it("sends no diff when the render did not change", async () => {
    const v = await mountView(InPlace);
    const before = v.html();
    await v.event("nothing");
    assert.equal(v.html(), before);
    assert.deepEqual(v.errors, []);
  });
});
