import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Envelope } from "../protocol/messages.ts";
import { SaveGate, SessionMoved } from "./save-gate.ts";
import type { SessionSnapshot } from "./store/types.ts";

/** A gate over a fake session whose snapshot covers `seq`, with a persist that does what `outcome` says. */
function gate(outcome: () => Promise<void>) {
  const out = { seq: 0, delivered: [] as number[], moved: [] as (number | undefined)[], errors: [] as unknown[] };
  const g = new SaveGate(outcome, {
    snapshot: () => ({ seq: out.seq }) as SessionSnapshot,
    deliver: (env) => out.delivered.push(env.q!),
    onError: (err) => out.errors.push(err),
    moved: (ref) => out.moved.push(ref),
  });
  const frame = (q: number, r?: number): Envelope => {
    out.seq = q;
    const env: Envelope = { q, r };
    assert.equal(g.hold(env), true);
    return env;
  };
  return { g, out, frame };
}

const settle = () => new Promise((r) => setTimeout(r, 10));

describe("save gate", () => {
  it("lets held frames go once the save that covers them lands", async () => {
    const { out, frame } = gate(() => Promise.resolve());
    frame(1, 1);
    frame(2, 2);
    await settle();
    assert.deepEqual(out.delivered, [1, 2]);
  });

  it("lets held frames go when the store is down (the node keeps serving), and reports it", async () => {
    const { out, frame } = gate(() => Promise.reject(new Error("down")));
    frame(1, 1);
    await settle();
    assert.deepEqual(out.delivered, [1]);
    assert.equal(out.errors.length, 1);
  });

  it("never sends frames whose save was refused because the session moved; tells the session the first event ref among them", async () => {
    const { g, out, frame } = gate(() => Promise.reject(new SessionMoved("sid-0123456789", "other-node")));
    frame(1);
    frame(2, 7);
    frame(3, 8);
    await settle();
    assert.deepEqual(out.delivered, [], "nothing unsaved reaches the client");
    assert.deepEqual(out.moved, [7]);
    assert.equal(out.errors.length, 0);
    assert.equal(g.busy, false);
    // Stopped: nothing more is held or saved.
    g.request();
    await settle();
    assert.deepEqual(out.moved, [7]);
  });
});
