import { defineView, html, type StandardSchemaV1 } from "../../../src/index.ts";

interface Link {
  id: number;
  url: string;
}

interface State {
  /** Bound to the display-name input (weft-model). */
  name: string;
  /** Bound to the newsletter checkbox (weft-model). */
  newsletter: boolean;
  likes: number;
  liked: boolean;
  /** Likes asked for: every third is refused, to show the rollback. */
  tries: number;
  note: string;
  links: Link[];
  bio: string;
  city: string;
  saved: string;
}

/** A display name: a string of at most 40 characters, trimmed (a Standard Schema, no library needed). */
const displayName: StandardSchemaV1<unknown, string> = {
  "~standard": {
    version: 1,
    vendor: "demo",
    validate: (v) => (typeof v === "string" && v.length <= 40 ? { value: v.trim() } : { issues: [{ message: "a name has at most 40 characters" }] }),
  },
};

const text = (v: unknown, max: number) => String(v ?? "").slice(0, max);

/** How long the like takes on the server: long enough to see the optimistic change. */
export const LIKE_DELAY_MS = 600;

/**
 * Forms: a display name bound to the state with a live preview (weft-model),
 * links deleted after a confirmation (weft-confirm), a like shown at once and
 * rolled back when the server refuses it (weft-optimistic-*), and a form whose
 * text survives a server restart (weft-recover).
 */
export const Profile = defineView<State>({
  title: "Profile",
  mount: () => ({
    name: "", newsletter: false, likes: 12, liked: false, tries: 0, note: "", bio: "", city: "", saved: "",
    links: [{ id: 1, url: "https://example.com/ann" }, { id: 2, url: "https://example.org/blog" }],
  }),
  model: { name: displayName, newsletter: true },
  events: {
    like: async (s) => {
      await new Promise((r) => setTimeout(r, LIKE_DELAY_MS));
      const tries = s.tries + 1;
      if (tries % 3 === 0) return { ...s, tries, note: "The server refused that one: the like was rolled back." };
      return { ...s, tries, note: "", liked: !s.liked, likes: s.likes + (s.liked ? -1 : 1) };
    },
    deleteLink: (s, p) => ({ ...s, links: s.links.filter((l) => String(l.id) !== p.id) }),
    save: (s, p) => ({ ...s, bio: text(p.bio, 500), city: text(p.city, 80), saved: "Saved." }),
    // The server mounted the view afresh (it restarted): the form's values come back.
    recover: (s, p) => ({ ...s, bio: text(p.bio, 500), city: text(p.city, 80), saved: "Recovered what you typed after a server restart." }),
  },
  render: (s) => html`
    <h1>Profile</h1>
    <section aria-labelledby="name-h">
      <h2 id="name-h">Live preview <span class="muted">(weft-model)</span></h2>
      <label class="field">Display name
        <input id="name" weft-model="name" weft-debounce="150" value=${s.name} maxlength="40" autocomplete="off">
      </label>
      <label><input id="newsletter" type="checkbox" weft-model="newsletter" checked=${s.newsletter}> Send me the newsletter</label>
      <p class="card" id="preview">Hello, <strong>${s.name || "stranger"}</strong>${s.newsletter ? " — subscribed" : ""}</p>
    </section>
    <section aria-labelledby="like-h">
      <h2 id="like-h">Like <span class="muted">(weft-optimistic)</span></h2>
      <button type="button" id="like" weft-click="like" class=${s.liked ? "" : "secondary"} aria-pressed=${String(s.liked)}
        weft-optimistic-class="secondary" weft-optimistic-aria-pressed=${String(!s.liked)}
        weft-optimistic-text=${s.liked ? `♡ Like (${s.likes - 1})` : `♥ Liked (${s.likes + 1})`}>${s.liked ? `♥ Liked (${s.likes})` : `♡ Like (${s.likes})`}</button>
      <p id="like-note" role="status">${s.note}</p>
    </section>
    <section aria-labelledby="links-h">
      <h2 id="links-h">Links <span class="muted">(weft-confirm)</span></h2>
      <ul class="todos" id="links">${s.links.map((l) => html`<li><span>${l.url}</span>
        <button type="button" class="link" weft-click="deleteLink" weft-value-id=${l.id} weft-confirm=${`Delete ${l.url}?`} aria-label=${`delete ${l.url}`}>delete</button></li>`)}</ul>
    </section>
    <section aria-labelledby="about-h">
      <h2 id="about-h">About you <span class="muted">(weft-recover)</span></h2>
      <p class="muted">Type something, then restart the server without saving: what you typed comes back.</p>
      <form id="about" weft-submit="save" weft-recover>
        <label class="field">City <input name="city" value=${s.city} autocomplete="off"></label>
        <label class="field">Bio <textarea name="bio" rows="3" style="display: block; width: 100%; font: inherit; padding: .45rem .6rem; border: 1px solid #e3e7ec; border-radius: 6px">${s.bio}</textarea></label>
        <button type="submit" weft-disable-with="Saving…">Save</button>
      </form>
      <p id="saved" role="status">${s.saved}</p>
    </section>`,
});
