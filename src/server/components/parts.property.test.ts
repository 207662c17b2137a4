/**
 * The components' wire (messages.ts `p`): a client that starts from the
 * first full render and applies every frame — view diffs and component
 * parts, including frames of a component's own event that carry no view
 * diff — holds, at every step, the HTML the model says: each component with
 * its own count, kept while rendered, fresh after it was dropped.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { S, type Envelope, type RenderedTree, type TreeDiff } from "../../protocol/messages.ts";
import { applyDiff, applyParts, toHtml } from "../../protocol/tree.ts";
import { MemoryPubSub } from "../pubsub/memory.ts";
import { ViewSession } from "../session.ts";
import { html } from "../template/html.ts";
import { keyed } from "../template/keyed.ts";
import { defineView } from "../view.ts";
import { component, defineComponent } from "./define.ts";

const Badge = defineComponent({
  mount: (p: { id: string; n: number }) => ({ n: p.n }),
  render: (s) => html`<em>${s.n}</em>`,
});

const Card = defineComponent({
  mount: (p: { id: string; title: string; badge: boolean }) => ({ title: p.title, badge: p.badge, count: 0 }),
  events: { inc: (s) => ({ ...s, count: s.count + 1 }) },
  render: (s) => html`<li><b>${s.title}</b>${s.count}${s.badge ? component(Badge, { id: `badge-${s.title}`, n: s.count }) : null}</li>`,
});

interface Card { id: string; title: string; badge: boolean }
interface State { cards: Card[]; keyed: boolean; n: number }

const View = defineView({
  mount: (): State => ({ cards: [], keyed: true, n: 0 }),
  events: { set: (_s, p) => p as unknown as State },
  render: (s) => {
    const one = (c: Card) => component(Card, { id: c.id, title: c.title, badge: c.badge });
    return html`<ul data-n="${s.n}">${s.keyed ? keyed(s.cards, (c) => c.id, one) : s.cards.map(one)}</ul>`;
  },
});

const cardsArb = fc.uniqueArray(
  fc.record({ id: fc.constantFrom("a", "b", "c", "d", "e"), title: fc.constantFrom("x", "y", "z"), badge: fc.boolean() }),
  { selector: (c) => c.id, maxLength: 5 },
).map((cards) => cards.map((c) => ({ ...c, title: `${c.title}${c.id}` })));

const stepArb = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), cards: cardsArb, keyed: fc.boolean(), n: fc.nat(3) }),
  fc.record({ kind: fc.constant("inc" as const), id: fc.constantFrom("a", "b", "c", "d", "e") }),
);

describe("component parts on the wire", () => {
  it("rebuild exactly the modelled HTML after any sequence of parent renders and component events", () => {
    fc.assert(fc.property(fc.array(stepArb, { maxLength: 12 }), (steps) => {
      const statics = new Map<number, readonly string[]>();
      let tree: RenderedTree | undefined;
      const parts = new Map<string, RenderedTree>();
      const s = new ViewSession<State>({ sid: "p", path: "/", view: View, params: {}, session: {}, state: { cards: [], keyed: true, n: 0 }, timers: [] },
        { outboxSize: 10, onError: () => {}, pubsub: new MemoryPubSub() });
      s.attach({ send: (f) => {
        const env = JSON.parse(f) as Envelope;
        for (const [id, str] of Object.entries(env.s ?? {})) statics.set(Number(id), str);
        if (env.t === S.rendered) {
          tree = env.d as RenderedTree;
          parts.clear();
        } else if (env.t !== undefined) return;
        else if (env.d !== undefined) tree = applyDiff(tree, env.d as TreeDiff);
        applyParts(parts, env.p);
      } }, 1, undefined, "t");
      // The model: what is rendered, and each rendered card's count.
      let model: State = { cards: [], keyed: true, n: 0 };
      const counts = new Map<string, number>();
      let ref = 0;
      for (const step of steps) {
        if (step.kind === "set") {
          model = { cards: step.cards, keyed: step.keyed, n: step.n };
          for (const id of [...counts.keys()]) if (!step.cards.some((c) => c.id === id)) counts.delete(id);
          for (const c of step.cards) if (!counts.has(c.id)) counts.set(c.id, 0);
          s.event(++ref, "set", model as unknown as Record<string, unknown>);
        } else {
          if (counts.has(step.id)) counts.set(step.id, counts.get(step.id)! + 1);
          s.event(++ref, "inc", {}, step.id);
        }
        const expected = `<ul data-n="${model.n}">${model.cards.map((c) => {
          const n = counts.get(c.id)!;
          const badge = c.badge ? `<em weft-component="badge-${c.title}">${n}</em>` : "";
          return `<li weft-component="${c.id}"><b>${c.title}</b>${n}${badge}</li>`;
        }).join("")}</ul>`;
        assert.equal(toHtml(tree!, (id) => statics.get(id), (id) => parts.get(id)), expected);
        assert.deepEqual([...parts.keys()].sort(), [...model.cards.map((c) => c.id), ...model.cards.filter((c) => c.badge).map((c) => `badge-${c.title}`)].sort(), "the client holds exactly the rendered components");
      }
    }), { numRuns: 300 });
  });
});
