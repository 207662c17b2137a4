import { component, defineComponent, defineView, html } from "../../../src/index.ts";

/** A card with its own counter: its clicks re-render the card alone. */
export const Card = defineComponent({
  mount: (p: { id: string; title: string }) => ({ title: p.title, count: 0 }),
  update: (p, s) => ({ ...s, title: p.title }),
  events: {
    inc: (s) => ({ ...s, count: s.count + 1 }),
    reset: (s) => ({ ...s, count: 0 }),
  },
  render: (s) => html`
    <div class="card">
      <strong>${s.title}</strong>
      <span class="big">${s.count}</span>
      <div class="row">
        <button weft-click="inc">+1<span class="sr-only"> to ${s.title}</span></button>
        <button weft-click="reset" class="secondary">Reset</button>
      </div>
    </div>`,
});

interface Cards {
  ids: string[];
  next: number;
}

/** Cards with their own counters (components); the page adds, removes and renames them. */
export const CardsPage = defineView({
  title: "Cards",
  mount: (): Cards => ({ ids: ["1", "2"], next: 3 }),
  events: {
    add: (s) => ({ ids: [...s.ids, String(s.next)], next: s.next + 1 }),
    remove: (s, p) => ({ ...s, ids: s.ids.filter((id) => id !== p.id) }),
    // The card keeps its count: update() takes the new title only.
    rename: (s, p, ctx) => {
      ctx.sendUpdate(Card, `card-${String(p.id)}`, { title: `Card ${String(p.id)} (renamed)` });
      return s;
    },
  },
  render: (s) => html`
    <h1>Cards</h1>
    <p class="muted">Each card is a component with its own state: a click on a card sends only that card's change.</p>
    <div class="cards">
      ${s.ids.map((id) => html`<div class="slot">
        ${component(Card, { id: `card-${id}`, title: `Card ${id}` })}
        <button class="link" weft-click="rename" weft-value-id="${id}">rename</button>
        <button class="link" weft-click="remove" weft-value-id="${id}">remove</button>
      </div>`)}
    </div>
    <button weft-click="add" id="add">Add a card</button>`,
});
