/**
 * Forms in Chromium, on every transport: weft-model keeps a state field and a
 * control in step (typing fast with a debounce keeps the user's text and
 * caret while the server's patches arrive); weft-confirm sends nothing when
 * dismissed; weft-optimistic shows a change at once, keeps it over patches
 * until the event's answer and rolls it back on a refusal or an error;
 * weft-recover forms send what was typed after a restarted server mounted
 * the view afresh.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { component, defineComponent, defineView, html, JS, type StandardSchemaV1 } from "../../src/index.ts";
import { browserSkipReason, e2eApp } from "../support/browser.ts";
import { until } from "../support/until.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason();
const WAIT = 10_000;
const T = { timeout: 40_000 };

/** Handler gates the tests open: an event waits in flight until its gate opens. */
const gates = new Map<string, () => void>();
const waiting = new Map<string, Promise<void>>();
/**
 * Gates opened before their handler reached them (over HTTP the event's POST may go only
 * after the previous one was answered): the next gate() of that name passes at once.
 */
const passes = new Set<string>();
function gate(name: string): Promise<void> {
  if (passes.delete(name)) return Promise.resolve();
  let p = waiting.get(name);
  if (p === undefined) {
    p = new Promise<void>((resolve) => gates.set(name, resolve));
    waiting.set(name, p);
  }
  return p;
}
function open(name: string): void {
  const g = gates.get(name);
  if (g === undefined) return void passes.add(name);
  g();
  gates.delete(name);
  waiting.delete(name);
}
/** What the next `like` answers: toggles the like, or refuses it (the state stays). */
let likeMode: "accept" | "refuse" = "accept";

/** Refuses every payload, after the "like" gate opens (an E_INVALID answered while the event was in flight). */
const refusedLater: StandardSchemaV1<unknown, never> = {
  "~standard": { version: 1, vendor: "test", validate: async () => (await gate("like"), { issues: [{ message: "refused" }] }) },
};

/** A component with its own weft-recover form: the recover event is the component's (the view has no "restoreNote"). */
const Note = defineComponent({
  mount: (p: { id: string }) => ({ id: p.id, note: "", recovered: 0 }),
  events: { restoreNote: (s, f) => ({ ...s, note: String(f.note ?? ""), recovered: s.recovered + 1 }) },
  render: (s) => html`<div><form id="note-form" weft-recover="restoreNote" weft-submit="restoreNote"><input name="note" aria-label="Note" value=${s.note}></form>
    <p id="note-out">${s.recovered}:${s.note}</p></div>`,
});

const COLORS = ["red", "green", "blue"];
const SIZES = ["S", "M", "L"];
const TAGS = ["a", "b", "c"];

const Forms = defineView({
  mount: () => ({ title: "", done: false, n: 0, liked: false, deleted: false, pings: 0, name: "", bio: "", recovered: 0, color: "red", size: "M", tags: [] as string[], seen: "" }),
  model: ["title", "done", "color", "size", "tags"],
  events: {
    reset: (s) => ({ ...s, title: "from the server" }),
    choose: (s) => ({ ...s, color: "blue", size: "S", tags: ["b"] }),
    seen: (s, p) => ({ ...s, seen: JSON.stringify(p) }),
    ping: (s) => ({ ...s, pings: s.pings + 1 }),
    del: (s) => ({ ...s, deleted: true }),
    slow: async (s) => (await gate("slow"), { ...s, n: s.n + 1 }),
    like: async (s) => (await gate("like"), likeMode === "refuse" ? s : { ...s, liked: !s.liked }),
    likeBad: { schema: refusedLater, run: (s) => s },
    save: (s) => s,
    recover: (s, f) => ({ ...s, name: String(f.name ?? ""), bio: String(f.bio ?? ""), recovered: s.recovered + 1 }),
  },
  render: (s) => html`<main>
    <input id="title" aria-label="Title" weft-model="title" weft-debounce="20" value=${s.title}>
    <p id="preview">${s.title}</p>
    <label><input id="done" type="checkbox" weft-model="done" checked=${s.done}> done</label><p id="done-out">${String(s.done)}</p>
    <button id="reset" weft-click="reset">reset</button>
    <button id="ping" weft-click="ping">ping</button><p id="pings">${s.pings}</p>
    <button id="del" weft-click="del" weft-confirm="Delete this?">delete</button><p id="deleted">${s.deleted ? "deleted" : "kept"}</p>
    <form id="del-form" weft-submit="del" weft-confirm="Really delete?"><button id="del-submit">delete (form)</button></form>
    <button id="del-js" weft-click=${JS.hide("#deleted").push("del")} weft-confirm="Run the commands?">delete (JS commands)</button>
    <button id="hostile" weft-click="ping" weft-optimistic-onclick="document.title='pwned'" weft-optimistic-style="color:red" weft-optimistic-class="two words" weft-optimistic-data-ok="1">hostile</button>
    <button id="slow" weft-click="slow">slow</button><p id="n">${s.n}</p>
    ${[["like", "like"], ["like-bad", "likeBad"]].map(([id, event]) => html`<button id=${id} weft-click=${event} class=${s.liked ? "liked" : "plain"} aria-pressed=${String(s.liked)}
      weft-optimistic-class="liked" weft-optimistic-text="Saving…" weft-optimistic-aria-pressed=${String(!s.liked)}>${s.liked ? "Liked" : "Like"} ${s.n}</button>`)}
    <form id="profile" weft-recover weft-submit="save">
      <input name="name" aria-label="Name" value=${s.name}><textarea name="bio" aria-label="Bio">${s.bio}</textarea>
    </form>
    <p id="recovered">${s.recovered}:${s.name}/${s.bio}</p>
    ${component(Note, { id: "note" })}
    <fieldset><legend>Color</legend>${COLORS.map((c) => html`<label><input type="radio" name="color" value=${c} weft-model="color" checked=${s.color === c}> ${c}</label>`)}</fieldset>
    <select id="size" aria-label="Size" weft-model="size">${SIZES.map((z) => html`<option selected=${s.size === z}>${z}</option>`)}</select>
    <select id="tags" aria-label="Tags" multiple weft-model="tags">${TAGS.map((t) => html`<option value=${t} selected=${s.tags.includes(t)}>tag ${t}</option>`)}</select>
    <p id="choices">${JSON.stringify([s.color, s.size, s.tags])}</p>
    <button id="choose" weft-click="choose">choose for me</button>
    <label><input id="opt" type="checkbox" name="opt" value="yes" weft-change="seen"> opt</label>
    <select id="multi" name="multi" aria-label="Multi" multiple weft-change="seen">${TAGS.map((t) => html`<option value=${t}>tag ${t}</option>`)}</select>
    <p id="seen">${s.seen}</p>
  </main>`,
});

const text = (page: Page, sel: string) => page.$eval(sel, (el) => el.textContent);
const textIs = (page: Page, sel: string, want: string) =>
  page.waitForFunction(([s, w]) => document.querySelector(s!)?.textContent === w, [sel, want] as const);
/** The like button as it shows: class, aria-pressed, text. */
const likeShows = (page: Page, sel: string) => page.$eval(sel, (el) => [el.className.replace(/\s*weft-loading/, ""), el.getAttribute("aria-pressed"), el.textContent!.trim()]);

for (const transport of TRANSPORTS) {
  describe(`forms in Chromium over ${transport}`, { skip }, () => {
    const fx = e2eApp({ weft: { views: { "/forms": Forms }, secret: "forms-e2e-secret-0123456789abcdef", sessionGraceMs: 60_000 }, wait: WAIT, warmClient: true });

    it("binds a control to a state field: typing fast with a debounce keeps the text and the caret while patches arrive", T, async () => {
      const page = await fx.open(transport, "/forms");
      await page.click("#title");
      const typed = "the quick brown fox";
      await page.keyboard.type(typed, { delay: 25 });
      await textIs(page, "#preview", typed);
      assert.equal(await page.inputValue("#title"), typed);
      await page.fill("#title", "");
      await textIs(page, "#preview", "");
      // The session is busy (a click that does not move focus): the model updates wait behind it,
      // so their answers arrive after more was typed, and with the caret moved.
      await page.$eval("#slow", (b) => (b as HTMLButtonElement).click());
      await page.keyboard.type("hello");
      await page.waitForSelector("#title.weft-loading"); // "hello" is sent (and waits)
      await page.keyboard.type(" world", { delay: 10 });
      for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowLeft");
      await page.keyboard.type("X");
      open("slow");
      const want = "hello woXrld";
      await textIs(page, "#preview", want);
      assert.equal(await page.inputValue("#title"), want);
      assert.deepEqual(await page.$eval("#title", (el) => [(el as HTMLInputElement).selectionStart, (el as HTMLInputElement).selectionEnd]), [9, 9], "the caret stays where the user put it");
      // A checkbox sends its checked flag.
      await page.click("#done");
      await textIs(page, "#done-out", "true");
      // Server → control: an unfocused control takes the value the server renders.
      await page.click("#reset");
      await textIs(page, "#preview", "from the server");
      assert.equal(await page.inputValue("#title"), "from the server");
      await page.close();
    });

    it("asks weft-confirm's question: dismissed, nothing is sent; accepted, the event goes", T, async () => {
      const page = await fx.open(transport, "/forms");
      const asked: string[] = [];
      page.once("dialog", (d) => void (asked.push(d.message()), d.dismiss()));
      await page.click("#del");
      page.once("dialog", (d) => void (asked.push(d.message()), d.dismiss()));
      await page.click("#del-submit");
      page.once("dialog", (d) => void (asked.push(d.message()), d.dismiss()));
      await page.click("#del-js"); // a JS command list: none of its commands runs
      // Events are applied in order: had a delete gone, it would show before this ping's answer.
      await page.click("#ping");
      await textIs(page, "#pings", "1");
      assert.equal(await text(page, "#deleted"), "kept");
      assert.equal(await page.isVisible("#deleted"), true, "JS.hide did not run");
      assert.deepEqual(asked, ["Delete this?", "Really delete?", "Run the commands?"]);
      assert.equal(await page.$eval("#del", (el) => el.classList.contains("weft-loading")), false, "a dismissed binding shows no loading state");
      page.once("dialog", (d) => void d.accept());
      await page.click("#del");
      await textIs(page, "#deleted", "deleted");
      await page.close();
    });

    it("shows weft-optimistic at once, keeps it over a patch until the answer, then shows the server's version", T, async () => {
      likeMode = "accept";
      const page = await fx.open(transport, "/forms");
      assert.deepEqual(await likeShows(page, "#like"), ["plain", "false", "Like 0"]);
      await page.click("#slow"); // in flight first: its answer patches the like button while the like waits
      await page.click("#like");
      assert.deepEqual(await likeShows(page, "#like"), ["plain liked", "true", "Saving…"], "applied at once");
      open("slow");
      await textIs(page, "#n", "1");
      assert.deepEqual(await likeShows(page, "#like"), ["plain liked", "true", "Saving…"], "kept over the patch of an earlier event");
      open("like");
      await page.waitForFunction(() => document.querySelector("#like")?.textContent?.trim() === "Liked 1");
      assert.deepEqual(await likeShows(page, "#like"), ["liked", "true", "Liked 1"]);
      await page.close();
    });

    it("rolls weft-optimistic back to the server's latest version when the server refuses", T, async () => {
      likeMode = "refuse";
      const page = await fx.open(transport, "/forms");
      await page.click("#slow");
      await page.click("#like");
      assert.deepEqual(await likeShows(page, "#like"), ["plain liked", "true", "Saving…"]);
      open("slow");
      await textIs(page, "#n", "1");
      open("like");
      // Rolled back to the server's version as it is now (the slow event's count), not the one the click saw.
      await page.waitForFunction(() => document.querySelector("#like")?.textContent?.trim() === "Like 1");
      assert.deepEqual(await likeShows(page, "#like"), ["plain", "false", "Like 1"]);
      await page.close();
    });

    it("rolls weft-optimistic back when the event fails (E_INVALID for its ref)", T, async () => {
      const page = await fx.open(transport, "/forms");
      const code = page.evaluate(() => new Promise<string>((resolve) => document.addEventListener("weft:error", (e) => resolve((e as CustomEvent<{ code: string }>).detail.code), { once: true })));
      await page.click("#like-bad");
      assert.deepEqual(await likeShows(page, "#like-bad"), ["plain liked", "true", "Saving…"]);
      open("like");
      assert.equal(await code, "E_INVALID");
      await page.waitForFunction(() => document.querySelector("#like-bad")?.textContent?.trim() === "Like 0");
      assert.deepEqual(await likeShows(page, "#like-bad"), ["plain", "false", "Like 0"]);
      await page.close();
    });

    it("refuses weft-optimistic changes it does not allow (E_CLIENT_PATCH), applies the others, and still sends the event", T, async () => {
      const page = await fx.open(transport, "/forms");
      await page.evaluate(() => {
        const w = window as unknown as { codes: string[]; dressed: string[] };
        w.codes = [];
        document.addEventListener("weft:error", (e) => w.codes.push((e as CustomEvent<{ code: string; message: string }>).detail.code + " " + (e as CustomEvent<{ message: string }>).detail.message));
        // What the button shows right after the client's own click listener (registered first) sent the event.
        document.addEventListener("click", (e) => {
          const el = e.target as Element;
          if (el.id === "hostile") w.dressed = [el.getAttribute("data-ok") ?? "", el.getAttribute("onclick") ?? "", el.getAttribute("style") ?? ""];
        });
      });
      await page.click("#hostile");
      await textIs(page, "#pings", "1");
      const w = await page.evaluate(() => {
        const { codes, dressed } = window as unknown as { codes: string[]; dressed: string[] };
        return { codes, dressed };
      });
      assert.deepEqual(w.codes.sort(), ["E_CLIENT_PATCH weft-optimistic-class", "E_CLIENT_PATCH weft-optimistic-onclick", "E_CLIENT_PATCH weft-optimistic-style"]);
      assert.deepEqual(w.dressed, ["1", "", ""], "data-ok shown while in flight; no onclick, no style");
      assert.equal(await page.title() === "pwned", false);
      assert.equal(await page.getAttribute("#hostile", "data-ok"), null, "rolled back after the answer");
      await page.close();
    });

    it("sends a weft-recover form's values after a restarted server mounted the view afresh, a component's form to its component", T, async () => {
      const page = await fx.open(transport, "/forms");
      await page.fill("[name=name]", "Ann");
      await page.fill("[name=bio]", "Likes\nforms");
      await page.fill("[name=note]", "a note");
      await fx.restart(); // no store: the sessions are gone
      await textIs(page, "#recovered", "1:Ann/Likes\nforms");
      // The component's form went to the component (the view has no such event: E_UNKNOWN_EVENT had it gone there).
      await textIs(page, "#note-out", "1:a note");
      // The fresh render did not wipe what was typed.
      assert.equal(await page.inputValue("[name=name]"), "Ann");
      assert.equal(await page.inputValue("[name=bio]"), "Likes\nforms");
      assert.equal(await page.inputValue("[name=note]"), "a note");
      await page.close();
    });

    it("binds a radio group, a select and a multiple select: the picked value, the option's value, the list of selected values; and shows what the server sets", T, async () => {
      const page = await fx.open(transport, "/forms");
      assert.equal(await text(page, "#choices"), '["red","M",[]]');
      await page.check("input[name=color][value=green]");
      await textIs(page, "#choices", '["green","M",[]]');
      await page.selectOption("#size", "L");
      await textIs(page, "#choices", '["green","L",[]]');
      await page.selectOption("#tags", ["a", "c"]);
      await textIs(page, "#choices", '["green","L",["a","c"]]');
      await page.selectOption("#tags", []);
      await textIs(page, "#choices", '["green","L",[]]');
      // Server → controls: the rendered checked / selected show.
      await page.click("#choose");
      await textIs(page, "#choices", '["blue","S",["b"]]');
      assert.equal(await page.$eval("input[name=color]:checked", (el) => (el as HTMLInputElement).value), "blue");
      assert.equal(await page.inputValue("#size"), "S");
      assert.deepEqual(await page.$eval("#tags", (el) => Array.from((el as HTMLSelectElement).selectedOptions, (o) => o.value)), ["b"]);
      // weft-change (not weft-model) outside a form: a box sends its value when checked and none unchecked; a multiple select its values.
      await page.check("#opt");
      await textIs(page, "#seen", '{"name":"opt","value":"yes"}');
      await page.uncheck("#opt");
      await textIs(page, "#seen", '{"name":"opt"}');
      await page.selectOption("#multi", ["a", "c"]);
      await textIs(page, "#seen", '{"name":"multi","value":["a","c"]}');
      await page.close();
    });
  });
}

/** Sessions of the Grace view ended (its terminate ran): the grace period after a dropped link expired. */
let graceEnded = 0;
const Grace = defineView({
  mount: () => ({ name: "", recovered: 0 }),
  events: { recover: (s, f) => ({ ...s, name: String(f.name ?? ""), recovered: s.recovered + 1 }) },
  terminate: () => void graceEnded++,
  render: (s) => html`<form weft-recover><input name="name" aria-label="Name" value=${s.name}></form><p id="recovered">${s.recovered}:${s.name}</p>`,
});

for (const transport of TRANSPORTS) {
  describe(`weft-recover after the session's grace expired, in Chromium over ${transport}`, { skip }, () => {
    // Short grace and link expiry (a minute each by default): the session ends soon after its link is cut.
    const fx = e2eApp({ weft: { views: { "/grace": Grace }, secret: "forms-e2e-secret-0123456789abcdef", sessionGraceMs: 200, linkTimeoutMs: 200 }, wait: WAIT, warmClient: true, proxy: true });

    it("sends the form's values when the rejoin mounts the view afresh", T, async () => {
      const page = await fx.open(transport, "/grace");
      await page.fill("[name=name]", "Bo");
      const ended = graceEnded;
      fx.proxy.reject = /./; // the link is down and stays down until the session ended
      try {
        assert.ok(fx.proxy.cutAll() > 0, "the proxy had open connections to cut");
        await page.waitForSelector("[weft-view].weft-disconnected");
        await until(() => graceEnded > ended, WAIT, "the session's grace to expire");
      } finally {
        fx.proxy.reject = undefined;
      }
      await textIs(page, "#recovered", "1:Bo");
      assert.equal(await page.inputValue("[name=name]"), "Bo");
      await page.close();
    });
  });
}
