// The demo's views, tested with weft-live/testing: no browser, no sockets.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createTestBus, mountView } from "../../src/testing/index.ts";
import { CardsPage } from "./views/cards.ts";
import { Feed } from "./views/feed.ts";
import { Chat } from "./views/chat.ts";
import { Clock } from "./views/clock.ts";
import { Counter } from "./views/counter.ts";
import { createFlaky } from "./views/flaky.ts";
import { Index } from "./views/index.ts";
import { ProjectPage } from "./views/project.ts";
import { Projects } from "./views/projects.ts";
import { Signup } from "./views/signup.ts";
import { Todos } from "./views/todos.ts";

describe("demo: Counter", () => {
  it("starts at ?start and counts up, down and back to zero", async () => {
    const v = await mountView(Counter, { url: "/counter?start=5" });
    assert.equal(v.text("#count"), "5");
    await v.click("#inc");
    await v.click("[aria-label=decrement]");
    await v.click("[aria-label=decrement]");
    assert.equal(v.text("#count"), "4");
    await v.click("button.secondary");
    assert.equal(v.text("#count"), "0");
  });
});

describe("demo: Todos", () => {
  it("adds, toggles and removes items, and counts what is left", async () => {
    const v = await mountView(Todos);
    assert.equal(v.text("p.muted"), "1 left");
    await v.submit("form", { title: "Write tests" });
    assert.equal(v.count("ul.todos > li"), 2);
    assert.match(v.text("ul.todos"), /Write tests/);
    await v.click("input[weft-value-id=1]");
    assert.equal(v.count("li.done"), 1);
    assert.equal(v.text("p.muted"), "1 left");
    await v.click("button[aria-label=delete][weft-value-id=1]");
    assert.equal(v.count("ul.todos > li"), 1);
    assert.equal(v.text("p.muted"), "1 left");
  });

  it("ignores an empty title", async () => {
    const v = await mountView(Todos);
    await v.submit("form", { title: "   " });
    assert.equal(v.count("ul.todos > li"), 1);
    assert.deepEqual(v.errors, []);
  });

  it("announces what was added and deleted with the count, to screen readers", async () => {
    const v = await mountView(Todos);
    await v.submit("form", { title: "Milk" });
    await v.click("button[aria-label=delete][weft-value-id=1]");
    assert.deepEqual(v.announcements, [{ text: "Added “Milk”. 2 items." }, { text: "Deleted “Try Weft”. 1 item." }]);
  });

  it("refuses a title on the list already with an error under the field, which takes focus", async () => {
    const v = await mountView(Todos);
    assert.equal(v.attr("input[name=title]", "weft-focus-after"), null);
    await v.submit("form", { title: "Try Weft" });
    assert.equal(v.text("#todo-error"), "“Try Weft” is on the list already.");
    assert.equal(v.attr("input[name=title]", "aria-invalid"), "true");
    assert.notEqual(v.attr("input[name=title]", "weft-focus-after"), null);
    assert.equal(v.count("ul.todos > li"), 1);
    await v.submit("form", { title: "Milk" });
    assert.equal(v.text("#todo-error"), "");
    assert.equal(v.attr("input[name=title]", "weft-focus-after"), null);
  });
});

describe("demo: Signup", () => {
  it("shows an error only for the field being typed in", async () => {
    const v = await mountView(Signup);
    await v.input("input[name=email]", "not-an-email");
    assert.equal(v.text("#email-error"), "That does not look like an email address.");
    assert.equal(v.text("#name-error"), "");
    assert.equal(v.attr("input[name=email]", "aria-invalid"), "true");
  });

  it("refuses a submit with bad fields and welcomes a good one", async () => {
    const v = await mountView(Signup);
    await v.submit("form", { name: "A", email: "a@b", password: "short" });
    assert.equal(v.text("#name-error"), "Name needs at least 2 characters.");
    assert.equal(v.text("#password-error"), "Password needs at least 8 characters.");
    await v.submit("form", { name: "Ann", email: "ann@example.com", password: "long enough" });
    assert.equal(v.text("#welcome"), "Welcome, Ann!");
    assert.equal(v.count("form"), 0);
  });

  it("flashes an error for a refused submit, a welcome for a good one, and one beside its redirect", async () => {
    const v = await mountView(Signup);
    await v.submit("form", { name: "A", email: "a@b", password: "short" });
    await v.submit("form", { name: "Ann", email: "ann@example.com", password: "long enough" });
    assert.deepEqual(v.flashes.map((f) => f.kind), ["error", "info"]);
    assert.equal(v.flashes[1]!.text, "Welcome, Ann!");
    const w = await mountView(Signup);
    await w.click("button.secondary");
    assert.equal(w.flashes.length, 1);
    assert.deepEqual(w.navigations.map((n) => [n.kind, n.to]), [["redirect", "/projects"]]);
  });
});

describe("demo: Clock", () => {
  it("ticks once a second on the test clock and keeps ticking", async () => {
    const v = await mountView(Clock);
    assert.match(v.text("#clock"), /^\d\d:\d\d:\d\d$/);
    assert.equal(await v.advance(999), 0);
    assert.equal(await v.advance(3001), 4);
    assert.equal(v.bus.clock.pending, 1);
    v.unmount();
    assert.equal(v.bus.clock.pending, 0);
  });
});

describe("demo: Chat", () => {
  it("delivers a message to every tab of the room and lists who is online", async () => {
    const bus = createTestBus();
    const a = await mountView(Chat, { bus, url: "/chat?room=dev" });
    const b = await mountView(Chat, { bus, url: "/chat?room=dev" });
    const other = await mountView(Chat, { bus, url: "/chat?room=elsewhere" });
    await a.change("input[name=name]", "ann");
    await b.change("input[name=name]", "bob");
    assert.equal(a.text("#online"), "Online (2): ann, bob");
    await a.submit("form[weft-submit=say]", { text: "hello" });
    assert.equal(b.text("#messages"), "ann hello");
    assert.equal(a.text("#messages"), "ann hello");
    assert.equal(other.count("#messages li"), 0);
    b.unmount();
    await bus.settle();
    assert.equal(a.text("#online"), "Online (1): ann");
  });
});

describe("demo: Index", () => {
  it("links every demo", async () => {
    const v = await mountView(Index);
    assert.deepEqual(["/counter", "/todos", "/signup", "/clock", "/chat", "/flaky", "/cards", "/lounge", "/feed", "/projects"].map((h) => v.count(`a[href="${h}"]`)), [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  });
});

describe("demo: Flaky", () => {
  it("renders its page and counts clicks", async () => {
    const v = await mountView(createFlaky());
    await v.click("#click");
    assert.equal(v.text("#clicks"), "1");
  });

  it("fails its first live mount only", async () => {
    const flaky = createFlaky();
    const live = { connected: true } as unknown as Parameters<typeof flaky.mount>[1];
    await assert.rejects(async () => flaky.mount({}, live), /first live mount/);
    assert.deepEqual(await flaky.mount({}, live), { clicks: 0 });
  });
});

describe("demo: Cards", () => {
  it("counts each card's clicks in that card alone", async () => {
    const v = await mountView(CardsPage);
    await v.click("[weft-component=card-1] button");
    await v.click("[weft-component=card-1] button");
    await v.click("[weft-component=card-2] button");
    assert.equal(v.text("[weft-component=card-1] .big"), "2");
    assert.equal(v.text("[weft-component=card-2] .big"), "1");
    await v.click("[weft-component=card-1] .secondary");
    assert.equal(v.text("[weft-component=card-1] .big"), "0");
    assert.equal(v.text("[weft-component=card-2] .big"), "1");
  });

  it("adds, renames (the count stays) and removes cards", async () => {
    const v = await mountView(CardsPage);
    await v.click("[weft-component=card-2] button");
    await v.click("#add");
    assert.equal(v.count(".card"), 3);
    await v.click("button[weft-click=rename][weft-value-id='2']");
    assert.equal(v.text("[weft-component=card-2] strong"), "Card 2 (renamed)");
    assert.equal(v.text("[weft-component=card-2] .big"), "1");
    await v.click("button[weft-click=remove][weft-value-id='1']");
    assert.equal(v.count("[weft-component=card-1]"), 0);
    assert.equal(v.count(".card"), 2);
    assert.deepEqual(v.errors, []);
  });
});

describe("demo: Feed", () => {
  it("loads pages, pins a note at the top and hides a post; the browser keeps the newest 200", async () => {
    const v = await mountView(Feed);
    assert.equal(v.count("#feed > li"), 20);
    await v.click("#more");
    assert.equal(v.count("#feed > li"), 40);
    await v.click("button[weft-click=pin]");
    assert.match(v.text("#feed > li"), /^Pinned note 1/);
    await v.click("#posts-1 button");
    assert.equal(v.count("#posts-1"), 0);
    for (let i = 0; i < 10; i++) await v.click("#more");
    assert.equal(v.count("#feed > li"), 200);
    assert.equal(v.count("#posts-240"), 1);
  });
});

describe("demo: Projects", () => {
  /** The names of the listed projects, in order. */
  const names = (v: { html(): string }) => [...v.html().matchAll(/<strong>(\w+)<\/strong>/g)].map((m) => m[1]);

  it("filters and sorts by the URL's query: a patch and a page load of a URL show the same list", async () => {
    const v = await mountView(Projects, { url: "/projects" });
    assert.equal(v.count("#projects > li"), 8);
    await v.patch("/projects?tag=server");
    assert.deepEqual(names(v), ["Loom", "Shuttle", "Warp"]);
    assert.equal(v.count("#filters a[aria-current=page]"), 2, "the tag and the order shown");
    assert.equal(v.attr("#filters a[aria-current=page]", "href"), "/projects?tag=server");
    await v.patch("/projects?tag=server&sort=newest");
    assert.deepEqual(names(v), ["Shuttle", "Warp", "Loom"]);
    assert.equal(v.url, "/projects?tag=server&sort=newest");
    // The detail links keep the list's query, for the detail page's back link.
    assert.equal(v.attr("#project-loom a", "href"), "/projects/loom?tag=server&sort=newest");
    const loaded = await mountView(Projects, { url: "/projects?tag=server&sort=newest" });
    assert.equal(loaded.html(), v.html());
    await v.patch("/projects?tag=nonsense&sort=nonsense");
    assert.equal(v.count("#projects > li"), 8, "unknown values show everything");
    assert.deepEqual(v.errors, []);
  });

  it("counts a like in that card alone, and the like outlives the card", async () => {
    const v = await mountView(Projects, { url: "/projects" });
    const likes = (slug: string) => Number(v.text(`#project-${slug} .likes`));
    const [loom, warp] = [likes("loom"), likes("warp")];
    await v.click("#project-loom button");
    assert.equal(likes("loom"), loom + 1);
    assert.equal(likes("warp"), warp);
    await v.patch("/projects?tag=ui"); // Loom's card leaves the page …
    assert.equal(v.count("#project-loom"), 0);
    await v.patch("/projects"); // … and comes back with its likes
    assert.equal(likes("loom"), loom + 1);
    assert.deepEqual(v.errors, []);
  });

  it("loads the activity a page at a time, each row once", async () => {
    const v = await mountView(Projects, { url: "/projects" });
    assert.equal(v.count("#activity > li"), 10);
    await v.click("#more");
    await v.patch("/projects?tag=tools"); // a patch leaves the streamed rows alone
    assert.equal(v.count("#activity > li"), 20);
    for (let i = 1; i <= 20; i++) assert.equal(v.count(`#activity-${i}`), 1, `row ${i}`);
  });

  it("titles the detail page after its project, and its back link keeps the list's query", async () => {
    // The test kit renders no child views (the project's chat): the chat has its own test above.
    const s = await ProjectPage.handleParams!({ id: "loom", tag: "ui", sort: "newest" }, "/projects/loom?tag=ui&sort=newest", { slug: "", back: "" }, undefined as never);
    assert.deepEqual(s, { slug: "loom", back: "/projects?tag=ui&sort=newest" });
    assert.equal(typeof ProjectPage.title === "function" && ProjectPage.title(s!), "Loom");
    const missing = await mountView(ProjectPage, { url: "/projects/nope" });
    assert.equal(missing.title, "No such project");
    assert.equal(missing.attr("#back", "href"), "/projects");
  });
});
