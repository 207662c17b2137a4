import { defineView, html } from "../../../src/index.ts";

const FOODS: readonly (readonly [name: string, kind: Kind])[] = [
  ["apple", "fruit"], ["apricot", "fruit"], ["avocado", "fruit"], ["banana", "fruit"], ["blackberry", "fruit"],
  ["blueberry", "fruit"], ["cherry", "fruit"], ["fig", "fruit"], ["grape", "fruit"], ["kiwi", "fruit"],
  ["lemon", "fruit"], ["mango", "fruit"], ["melon", "fruit"], ["orange", "fruit"], ["peach", "fruit"],
  ["pear", "fruit"], ["plum", "fruit"], ["raspberry", "fruit"], ["strawberry", "fruit"], ["watermelon", "fruit"],
  ["artichoke", "vegetable"], ["asparagus", "vegetable"], ["beetroot", "vegetable"], ["broccoli", "vegetable"], ["cabbage", "vegetable"],
  ["carrot", "vegetable"], ["celery", "vegetable"], ["courgette", "vegetable"], ["cucumber", "vegetable"], ["fennel", "vegetable"],
  ["kale", "vegetable"], ["leek", "vegetable"], ["lettuce", "vegetable"], ["onion", "vegetable"], ["parsnip", "vegetable"],
  ["pea", "vegetable"], ["pepper", "vegetable"], ["potato", "vegetable"], ["pumpkin", "vegetable"], ["spinach", "vegetable"],
  ["almond", "nut"], ["cashew", "nut"], ["chestnut", "nut"], ["hazelnut", "nut"], ["macadamia", "nut"],
  ["peanut", "nut"], ["pecan", "nut"], ["pistachio", "nut"], ["walnut", "nut"],
];

type Kind = "fruit" | "vegetable" | "nut";
const TABS: readonly (readonly [Kind | "all", string])[] = [["all", "All"], ["fruit", "Fruit"], ["vegetable", "Vegetables"], ["nut", "Nuts"]];

interface SearchState {
  q: string;
  kind: Kind | "all";
  hits: string[];
}

/** The matches: a pure function of the query and the tab, as a cached handler must be. */
function find(q: string, kind: SearchState["kind"]): string[] {
  const needle = q.trim().toLowerCase().slice(0, 40);
  return FOODS.filter(([name, k]) => (kind === "all" || k === kind) && name.includes(needle)).map(([name]) => name);
}

const asKind = (v: unknown): SearchState["kind"] => (TABS.some(([k]) => k === v) ? (v as SearchState["kind"]) : "all");

/**
 * A searchable list with tabs: `search` and `tab` are pure (the result depends
 * only on the payload's key field and state the event does not set: the last
 * query or tab wins), so they are cached in the browser: going back to a tab,
 * or typing a query again, shows its result at once and sends nothing then;
 * the server is told later and confirms with a reply instead of the diff.
 */
export const Search = defineView({
  title: "Search",
  mount: (): SearchState => ({ q: "", kind: "all", hits: find("", "all") }),
  events: {
    search: {
      handler: (s, p: { q?: unknown }) => {
        const q = String(p.q ?? "").slice(0, 40);
        return { ...s, q, hits: find(q, s.kind) };
      },
      cache: { ttlMs: 5 * 60_000, key: ["q"] },
    },
    tab: {
      handler: (s, p: { kind?: unknown }) => {
        const kind = asKind(p.kind);
        return { ...s, kind, hits: find(s.q, kind) };
      },
      cache: { ttlMs: 5 * 60_000, key: ["kind"] },
    },
  },
  render: (s) => html`
    <h1>Search</h1>
    <p>Both the search box and the tabs are <em>cached pure events</em>: go back to a tab you
    saw (or type a query again) and the list changes at once, and nothing is sent then. The
    server is told the latest one later (before your next other action, or at the heartbeat),
    and only confirms it; going back to the tab the server has owes it nothing.</p>
    <form weft-input="search" weft-submit="search" role="search">
      <label for="q">Search foods</label>
      <input id="q" name="q" type="search" value=${s.q} autocomplete="off" maxlength="40" weft-debounce="150">
    </form>
    <div class="row" role="group" aria-label="Kind">
      ${TABS.map(([kind, label]) => html`<button type="button" class=${kind === s.kind ? "" : "secondary"} aria-pressed=${String(kind === s.kind)} weft-click="tab" weft-value-kind=${kind}>${label}</button>`)}
    </div>
    <p id="count" class="muted" aria-live="polite">${s.hits.length} ${s.hits.length === 1 ? "match" : "matches"}</p>
    <ul id="results">${s.hits.map((h) => html`<li>${h}</li>`)}</ul>`,
});
