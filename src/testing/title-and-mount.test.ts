import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { html } from "../server/template/html.ts";
import { defineView } from "../server/view.ts";
import { mountView } from "./mount-view.ts";

const Inbox = defineView({
  mount: (_p, ctx) => {
    ctx.pushEvent("ready", { unread: 2 });
    ctx.pushEvent("again");
    return { unread: 2 };
  },
  events: { read: (s) => ({ unread: s.unread - 1 }) },
  render: () => html`<p>inbox</p>`,
  title: (s) => `Inbox (${s.unread})`,
});

describe("mountView: title and mount pushes", () => {
  it("shows the page title, then the one each change sends", async () => {
    const v = await mountView(Inbox);
    assert.equal(v.title, "Inbox (2)");
    await v.event("read");
    assert.equal(v.title, "Inbox (1)", "the render did not change, the title did");
  });

  it("records the pushes made in mount, in order, as a browser gets them after its join", async () => {
    const v = await mountView(Inbox);
    assert.deepEqual(v.pushes, [{ name: "ready", payload: { unread: 2 } }, { name: "again", payload: null }]);
  });

  it("shows a fixed title", async () => {
    const v = await mountView(defineView({ mount: () => ({}), render: () => html`<p>x</p>`, title: "Fixed" }));
    assert.equal(v.title, "Fixed");
  });
});
