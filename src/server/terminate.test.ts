import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryPubSub } from "./pubsub/memory.ts";
import { Endings, runTerminate, type Ending } from "./terminate.ts";
import { defineView, type TerminateReason } from "./view.ts";
import { html } from "./template/html.ts";

const ending: Ending<{ n: number }> = { reason: "closed", state: { n: 3 }, path: "/count", params: {}, session: { user: "ann" } };

function viewWith(terminate: (reason: TerminateReason, state: { n: number }) => void | Promise<void>) {
  return defineView({ mount: () => ({ n: 0 }), render: (s) => html`<p>${s.n}</p>`, terminate });
}

describe("runTerminate", () => {
  it("calls terminate with the reason, the state and a context without a client", async () => {
    const seen: unknown[] = [];
    const view = defineView({
      mount: () => ({ n: 0 }),
      render: (s) => html`<p>${s.n}</p>`,
      terminate: (reason, state, ctx) => { seen.push(reason, state.n, ctx.connected, ctx.session.user); },
    });
    assert.equal(runTerminate(view, ending, { pubsub: new MemoryPubSub(), onError: assert.fail }), undefined);
    assert.deepEqual(seen, ["closed", 3, false, "ann"]);
  });

  it("reports a throw and a rejection to onError with the view's path, never throwing", async () => {
    const errors: string[] = [];
    const onError = (_err: unknown, where: string) => errors.push(where);
    runTerminate(viewWith(() => { throw new Error("sync"); }), ending, { pubsub: new MemoryPubSub(), onError });
    await runTerminate(viewWith(() => Promise.reject(new Error("async"))), { ...ending, reason: "shutdown" }, { pubsub: new MemoryPubSub(), onError });
    assert.deepEqual(errors, ["terminate of /count (closed)", "terminate of /count (shutdown)"]);
  });

  it("lets terminate broadcast to the other subscribers", async () => {
    const pubsub = new MemoryPubSub();
    const got: unknown[] = [];
    pubsub.subscribe("room", (m) => got.push(m));
    const view = defineView({
      mount: () => ({ n: 0 }),
      render: (s) => html`<p>${s.n}</p>`,
      terminate: (_r, s, ctx) => ctx.broadcast("room", "left", { n: s.n }),
    });
    runTerminate(view, ending, { pubsub, onError: assert.fail });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(got, [{ name: "left", payload: { n: 3 } }]);
  });
});

describe("Endings", () => {
  it("waits for running endings, but no longer than its bound", async () => {
    const endings = new Endings();
    let finish!: () => void;
    endings.add(new Promise<void>((r) => (finish = r)));
    endings.add(undefined);
    assert.equal(endings.size, 1);
    let settled = false;
    const waiting = endings.settled(60_000).then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(settled, false, "a running terminate is waited for");
    finish();
    await waiting;
    assert.equal(endings.size, 0);
    endings.add(new Promise<void>(() => {}));
    await endings.settled(10); // a terminate that never ends does not hang the caller
    assert.equal(endings.size, 1);
  });
});
