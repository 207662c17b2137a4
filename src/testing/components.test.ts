import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { component, defineComponent, defineView, html } from "../index.ts";
import { mountView } from "./index.ts";

const Counter = defineComponent({
  mount: (p: { id: string; label: string }) => ({ label: p.label, n: 0 }),
  events: { inc: (s) => ({ ...s, n: s.n + 1 }) },
  render: (s) => html`<div class="counter"><span>${s.label}: ${s.n}</span><button weft-click="inc">+</button><button class="up" weft-click="inc" weft-target="">view +</button></div>`,
});

const Page = defineView({
  mount: () => ({ n: 0 }),
  events: { inc: (s) => ({ n: s.n + 1 }) },
  render: (s) => html`<main><p id="total">${s.n}</p>${component(Counter, { id: "one", label: "One" })}${component(Counter, { id: "two", label: "Two" })}<button id="two-from-outside" weft-click="inc" weft-target="two">two +</button></main>`,
});

describe("the test kit with components", () => {
  it("routes a click inside a component to that component", async () => {
    const v = await mountView(Page);
    await v.click("[weft-component=one] button");
    assert.equal(v.text("[weft-component=one] span"), "One: 1");
    assert.equal(v.text("[weft-component=two] span"), "Two: 0");
    assert.equal(v.text("#total"), "0");
    assert.deepEqual(v.errors, []);
  });

  it("routes a click by weft-target, and weft-target=\"\" to the view", async () => {
    const v = await mountView(Page);
    await v.click("#two-from-outside");
    assert.equal(v.text("[weft-component=two] span"), "Two: 1");
    await v.click("[weft-component=one] .up");
    assert.equal(v.text("#total"), "1");
    assert.equal(v.text("[weft-component=one] span"), "One: 0");
  });

  it("records E_UNKNOWN_TARGET for an event to a component that is not there", async () => {
    const v = await mountView(Page);
    await v.event("inc", {}, "three");
    assert.equal(v.errors[0]?.code, "E_UNKNOWN_TARGET");
  });

  it("fails the test when a component has no handler for the clicked event", async () => {
    const Typo = defineComponent({ mount: () => ({}), render: () => html`<div><button weft-click="icn">+</button></div>` });
    const V = defineView({ mount: () => ({}), render: () => html`<main>${component(Typo, { id: "t" })}</main>` });
    const v = await mountView(V);
    await assert.rejects(v.click("button"), /the component "t" has no handler "icn"/);
  });
});
