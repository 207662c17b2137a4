import { defineView, html, stream } from "../../../src/index.ts";

interface Post {
  id: number;
  text: string;
}

/** Posts of an endless feed, made up from their number (a real app reads a database). */
function posts(from: number, n: number): Post[] {
  return Array.from({ length: n }, (_, i) => ({ id: from + i, text: `Post number ${from + i}` }));
}

const PAGE = 20;

/** Pinned note `k` (negative ids: they never meet a post's). */
const note = (k: number): Post => ({ id: -k, text: `Pinned note ${k}` });

/**
 * An infinite list on a stream: the server keeps how many posts are loaded,
 * never the posts; the browser keeps them (at most 200, the oldest pruned).
 */
export const Feed = defineView({
  title: "Feed",
  mount: () => ({ loaded: PAGE, pinned: 0 }),
  // What a full render shows (the join, a rejoin that cannot resume): the pinned notes and
  // the newest loaded posts, once. (Hidden posts come back then: this demo keeps no list of them.)
  streams: (s, ctx) => {
    ctx.stream("posts", posts(Math.max(1, s.loaded - 199), Math.min(s.loaded, 200)));
    for (let k = 1; k <= s.pinned; k++) ctx.streamInsert("posts", note(k), { at: 0 });
  },
  events: {
    more: (s, _p, ctx) => {
      ctx.stream("posts", posts(s.loaded + 1, PAGE), { limit: -200 });
      return { ...s, loaded: s.loaded + PAGE };
    },
    pin: (s, _p, ctx) => {
      ctx.streamInsert("posts", note(s.pinned + 1), { at: 0 });
      return { ...s, pinned: s.pinned + 1 };
    },
    hide: (s, p, ctx) => {
      ctx.streamDelete("posts", String(p.id));
      return s;
    },
  },
  render: (s) => html`
    <h1>Feed</h1>
    <p>${s.loaded} posts loaded; the server keeps the count, the page keeps the posts (the newest 200).</p>
    <button weft-click="pin">Pin a note</button>
    <ol id="feed" ${stream<Post>("posts", (p, domId) => html`<li>${p.text} <button class="secondary" weft-click="hide" weft-value-id=${domId}>hide</button></li>`)}></ol>
    <button id="more" weft-click="more">Load more</button>`,
});
