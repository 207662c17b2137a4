/**
 * Components over each transport (real sockets, streams and requests): a component's click is answered by a
 * frame with the component's diff alone (no view diff), a target that is not
 * a string is a bad frame, and a target naming no component is refused in
 * the view's stream with E_UNKNOWN_TARGET.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { S } from "../../src/protocol/messages.ts";
import { component, defineComponent, defineView, html, type WeftApp } from "../../src/index.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { startApp } from "../support/server.ts";
import { TRANSPORTS } from "../support/wires.ts";

const Counter = defineComponent({
  mount: (p: { id: string }) => ({ id: p.id, n: 0 }),
  events: { inc: (s) => ({ ...s, n: s.n + 1 }) },
  render: (s) => html`<p>${s.n}</p>`,
});

const Page = defineView({
  mount: () => ({ title: "t" }),
  render: (s) => html`<h1>${s.title}</h1>${component(Counter, { id: "a" })}${component(Counter, { id: "b" })}`,
});

for (const transport of TRANSPORTS) describe(`components on the wire over ${transport}`, () => {
  let node: { app: WeftApp; base: string; errors: unknown[] };

  before(async () => {
    node = await startApp({ views: { "/": Page } });
  });
  after(async () => {
    await node.app.close();
  });

  it("answers a component's event with that component's diff alone", async () => {
    const page = await getPage(node.base, "/");
    const c = await ProtocolClient.connect(node.base, {}, transport);
    try {
      const full = await c.join(1, page.token);
      assert.deepEqual(Object.keys(full.p ?? {}), ["a", "b"]);
      const answer = await c.event(1, "inc", {}, 1, "b");
      assert.equal(answer.t, undefined, "a diff");
      assert.equal(answer.d, undefined, "no view diff");
      assert.deepEqual(answer.p, { b: { 0: "1" } });
      assert.equal(c.views.get(1)!.html(), '<h1>t</h1><p weft-component="a">0</p><p weft-component="b">1</p>');
    } finally {
      await c.close();
    }
  });

  it("refuses a target that is not a string as a bad frame, and one naming no component with E_UNKNOWN_TARGET", async () => {
    const page = await getPage(node.base, "/");
    const c = await ProtocolClient.connect(node.base, {}, transport);
    try {
      await c.join(1, page.token);
      c.send({ t: "e", v: 1, r: 1, e: "inc", d: {}, g: 5 as unknown as string });
      const bad = await c.next((m) => m.t === S.error && m.r === 1);
      assert.equal(bad.c, "E_BAD_FRAME");
      const unknown = await c.event(1, "inc", {}, 2, "zzz");
      assert.equal(unknown.t, S.error);
      assert.equal(unknown.c, "E_UNKNOWN_TARGET");
      assert.equal(typeof unknown.q, "number", "in the view's stream");
      const still = await c.event(1, "inc", {}, 3, "a");
      assert.deepEqual(still.p, { a: { 0: "1" } });
    } finally {
      await c.close();
    }
  });
});
