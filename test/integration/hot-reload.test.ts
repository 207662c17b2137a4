/**
 * Development hot reload over each transport (real server, real clients): a
 * view module edited in a temporary copy of a small app re-renders the open
 * session with the new code and its state, a component keeps its state, new
 * pages use the new code, a module that fails to load or a render that
 * throws keeps the old code (with E_HOT_RELOAD / E_RENDER on the page and the
 * error on onError), a CSS change reaches the page as a `dev:css` push; and
 * without an explicit `dev` option nothing is watched.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import nodeModule from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it, mock } from "node:test";
import { S } from "../../src/protocol/messages.ts";
import { createWeft, defineView, html, type ViewDefinition, type WeftApp } from "../../src/index.ts";
import type { Logger } from "../../src/server/logger.ts";
import { hotAppFiles, makeHotApp, writeFiles } from "../support/hot-app.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { TEST_SECRET } from "../support/server.ts";
import { until } from "../support/until.ts";
import { TRANSPORTS } from "../support/wires.ts";

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

describe("hot reload is off unless the dev option asks for it", () => {
  it("starts no watcher and registers no module hook without an explicit dev: true or dev: { … }; dev: true watches the views' folder", async () => {
    const watch = mock.method(fs, "watch");
    const register = mock.method(nodeModule, "register");
    const env = process.env.NODE_ENV;
    try {
      const View = defineView({ mount: () => ({}), render: () => html`<p>x</p>` });
      for (const [nodeEnv, dev] of [[undefined, undefined], ["development", undefined], [undefined, false], [undefined, { watch: false }]] as const) {
        if (nodeEnv === undefined) delete process.env.NODE_ENV;
        else process.env.NODE_ENV = nodeEnv;
        const app = createWeft({ views: { "/": View }, secret: TEST_SECRET, logger: quiet, ...(dev === undefined ? {} : { dev }) });
        await app.close();
      }
      assert.equal(watch.mock.callCount(), 0, "no fs.watch");
      assert.equal(register.mock.callCount(), 0, "no module hook");
      // The same check sees a watcher when one starts.
      const { dir, Counter } = await makeHotApp();
      const on = createWeft({ views: { "/": Counter }, secret: TEST_SECRET, logger: quiet, dev: { watch: [dir] } });
      await on.close();
      assert.ok(watch.mock.callCount() > 0, "dev: { watch } watches");
      // dev: true watches the folder of the module that defines the view.
      const byDefault = createWeft({ views: { "/": Counter }, secret: TEST_SECRET, logger: quiet, dev: true });
      await byDefault.close();
      assert.equal(watch.mock.calls.at(-1)?.arguments[0], join(dir, "views"));
    } finally {
      if (env === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = env;
      watch.mock.restore();
      register.mock.restore();
    }
  });
});

describe("hot reload and the module that creates the app", () => {
  it("never loads the app's own module again (no second createWeft or listen), and still reloads the others", async () => {
    const dir = fs.mkdtempSync(join(tmpdir(), "weft-hot-app-"));
    const weft = JSON.stringify(pathToFileURL(join(import.meta.dirname, "../../src/index.ts")).href);
    const said: string[] = [];
    (globalThis as { hotLog?: Logger }).hotLog = { ...quiet, info: (_f, m) => said.push(m) };
    writeFiles(dir, {
      "package.json": JSON.stringify({ type: "module" }),
      "label.ts": 'export const LABEL: string = "one";\n',
      // One file: a view, the app, listen() — as a quick start writes it.
      "app.ts": `import { createWeft, defineView, html } from ${weft};
import { LABEL } from "./label.ts";
const g = globalThis as { appLoads?: number; hotLog?: never };
g.appLoads = (g.appLoads ?? 0) + 1;
export const Home = defineView({ mount: () => ({}), render: () => html\`<p>\${LABEL}</p>\` });
export const app = createWeft({ views: { "/": Home }, secret: ${JSON.stringify(TEST_SECRET)}, logger: g.hotLog, dev: { watch: [${JSON.stringify(dir)}], debounceMs: 20 } });
export const addr = await app.listen(0);
`,
    });
    const mod = (await import(pathToFileURL(join(dir, "app.ts")).href)) as { app: WeftApp };
    try {
      writeFiles(dir, { "label.ts": 'export const LABEL: string = "two";\n' });
      await until(() => said.some((m) => m.startsWith("hot reload: label.ts changed")), 10_000, "the reload");
      assert.equal((globalThis as { appLoads?: number }).appLoads, 1, "app.ts ran once");
    } finally {
      await mod.app.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("hot reload in a process with several apps", () => {
  it("gives every reload a new generation, so an app started again on the same files never loads a stale one", async () => {
    const { dir, Counter } = await makeHotApp();
    const said: string[] = [];
    const logger: Logger = { ...quiet, info: (_f, m) => said.push(m) };
    const start = () => createWeft({ views: { "/": Counter }, secret: TEST_SECRET, logger, dev: { watch: [dir], debounceMs: 20 } });
    const reloaded = (n: number) => until(() => said.filter((m) => m.startsWith("hot reload: label.ts changed")).length >= n, 10_000, `reload ${n}`);
    try {
      const first = start();
      writeFiles(dir, { "views/label.ts": hotAppFiles("First")["views/label.ts"]! });
      await reloaded(1);
      await first.close();
      const again = start();
      const base = `http://127.0.0.1:${(await again.listen(0)).port}`;
      try {
        writeFiles(dir, { "views/label.ts": hotAppFiles("Second")["views/label.ts"]! });
        await reloaded(2);
        assert.match((await getPage(base, "/")).html, /Second: 0/);
      } finally {
        await again.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("hot reload and child views", () => {
  it("re-renders a child view's own session with its new code, keeping its state", async () => {
    const dir = fs.mkdtempSync(join(tmpdir(), "weft-hot-child-"));
    const weft = JSON.stringify(pathToFileURL(join(import.meta.dirname, "../../src/index.ts")).href);
    writeFiles(dir, {
      "package.json": JSON.stringify({ type: "module" }),
      "label.ts": 'export const LABEL: string = "kid";\n',
      "child.ts": `import { defineView, html } from ${weft};
import { LABEL } from "./label.ts";
export const Child = defineView({ mount: () => ({ n: 0 }), events: { bump: (s: { n: number }) => ({ n: s.n + 1 }) }, render: (s) => html\`<p>\${LABEL} \${s.n}</p>\` });
`,
      "parent.ts": `import { defineView, html, liveView } from ${weft};
import { Child } from "./child.ts";
export const Parent = defineView({ mount: () => ({}), render: () => html\`<h1>parent</h1>\${liveView(Child, { id: "kid" })}\` });
`,
    });
    const { Parent } = (await import(pathToFileURL(join(dir, "parent.ts")).href)) as { Parent: ViewDefinition<unknown> };
    const { Child } = (await import(pathToFileURL(join(dir, "child.ts")).href)) as { Child: ViewDefinition<unknown> };
    const failures: unknown[] = [];
    const app = createWeft({ views: { "/": Parent, "/kid": Child }, secret: TEST_SECRET, logger: quiet, onError: (err) => failures.push(err), dev: { watch: [dir], debounceMs: 20 } });
    const base = `http://127.0.0.1:${(await app.listen(0)).port}`;
    const c = await ProtocolClient.connect(base);
    try {
      const page = await getPage(base, "/");
      const tokens = [...page.html.matchAll(/weft-token="([^"]+)"/g)].map((m) => m[1]!);
      assert.equal(tokens.length, 2, "the parent's and the child's");
      await c.join(1, tokens[0]!);
      await c.join(2, tokens[1]!);
      await c.event(2, "bump");
      await c.event(2, "bump");
      assert.match(c.views.get(2)!.html(), /kid 2/);
      writeFiles(dir, { "label.ts": 'export const LABEL: string = "child";\n' });
      await until(() => c.views.get(2)!.html().includes("child 2"), 10_000, "the child's new code with its count");
      // The parent re-rendered with the new code too, placing the same child (same id and view: its session kept).
      await c.event(1, "nothing-here").catch(() => undefined);
      assert.deepEqual(failures, [], "no render failed");
      assert.match(c.views.get(1)!.html(), /<h1>parent<\/h1><div id="kid" weft-view="\/kid"/);
    } finally {
      await c.close();
      await app.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

for (const transport of TRANSPORTS) describe(`hot reload over ${transport}`, () => {
  let app: WeftApp;
  let base: string;
  let dir: string;
  const errors: { err: unknown; where: string }[] = [];

  before(async () => {
    const made = await makeHotApp();
    dir = made.dir;
    app = createWeft({ views: { "/": made.Counter }, secret: TEST_SECRET, logger: quiet, onError: (err, where) => errors.push({ err, where }), dev: { watch: [dir], debounceMs: 20 } });
    base = `http://127.0.0.1:${(await app.listen(0)).port}`;
  });
  after(async () => {
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A client joined to a fresh page, counted to `n`, its badge hit `hits` times. */
  async function opened(n: number, hits: number): Promise<ProtocolClient> {
    const page = await getPage(base, "/");
    const c = await ProtocolClient.connect(base, {}, transport);
    await c.join(1, page.token);
    for (let i = 0; i < n; i++) await c.event(1, "inc");
    for (let i = 0; i < hits; i++) await c.event(1, "hit", {}, undefined, "b1");
    return c;
  }
  const html = (c: ProtocolClient): string => c.views.get(1)!.html();

  it("re-renders an open view with the edited module and keeps its state and its component's", async () => {
    const c = await opened(3, 2);
    // A page rendered before the change, joined after it.
    const early = await getPage(base, "/");
    try {
      assert.match(html(c), /Count: 3/);
      const seq = c.views.get(1)!.seq;
      writeFiles(dir, { "views/label.ts": hotAppFiles("Total")["views/label.ts"]! });
      await until(() => html(c).includes("Total: 3"), 10_000, "the new label with the old count");
      assert.match(html(c), /hits: <b id="hits">2<\/b>/, "the component kept its state");
      const frames = c.received.filter((m) => (m.q ?? 0) > seq);
      assert.ok(frames.every((m) => m.t !== S.rendered), "a diff, not a full render");
      // The new code handles the next event; a new page mounts with it too.
      await c.event(1, "inc");
      assert.match(html(c), /Total: 4/);
      assert.match((await getPage(base, "/")).html, /Total: 0/);
      const late = await ProtocolClient.connect(base, {}, transport);
      try {
        const mounts = (globalThis as { hotMounts?: number }).hotMounts;
        await late.join(1, early.token);
        assert.match(late.views.get(1)!.html(), /Total: 0/, "a page rendered before the change joins with the new code");
        assert.equal((globalThis as { hotMounts?: number }).hotMounts, mounts, "with the state of its page's mount (no mount at the join)");
      } finally {
        await late.close();
      }
    } finally {
      await c.close();
    }
  });

  it("keeps the old code when a changed module fails to load, says so on the page and to onError, and reloads once it is fixed", async () => {
    const c = await opened(1, 0);
    try {
      const before = errors.length;
      writeFiles(dir, { "views/label.ts": "export const LABEL: string = ;\n" });
      const err = await c.next((m) => m.t === S.error && m.c === "E_HOT_RELOAD", 10_000);
      assert.equal(err.r, undefined);
      assert.match(err.m ?? "", /\(label\.ts\): .*label\.ts:1:\d+: ERROR/, "the file and the loader's message");
      assert.equal(errors.length, before + 1);
      assert.match(errors[before]!.where, /hot reload of label\.ts/);
      await c.event(1, "inc");
      assert.match(html(c), /: 2</, "the old code still answers");
      writeFiles(dir, { "views/label.ts": hotAppFiles("Fixed")["views/label.ts"]! });
      await until(() => html(c).includes("Fixed: 2"), 10_000, "the fixed module");
    } finally {
      await c.close();
    }
  });

  it("keeps a session on its old definition when the new render throws (E_RENDER)", async () => {
    const c = await opened(2, 0);
    try {
      const good = hotAppFiles()["views/counter.ts"]!;
      const before = errors.length;
      writeFiles(dir, { "views/counter.ts": good.replace("render: (s) => html`", "render: (s) => { if (s.count > 0) throw new Error(\"boom\"); return html`").replace("`,\n});", "`; },\n});") });
      const err = await c.next((m) => m.t === S.error && m.c === "E_RENDER", 10_000);
      assert.equal(err.r, undefined);
      assert.ok(errors.length > before, "the render error reached onError");
      await c.event(1, "inc");
      assert.match(html(c), /: 3</, "the old render answers");
      writeFiles(dir, { "views/counter.ts": good, "views/label.ts": hotAppFiles("Back")["views/label.ts"]! });
      await until(() => html(c).includes("Back: 3"), 10_000, "the good module again");
    } finally {
      await c.close();
    }
  });

  it("sends each page a dev:css push naming a changed stylesheet, and reloads no module for it", async () => {
    const c = await opened(0, 0);
    try {
      const seq = c.views.get(1)!.seq;
      writeFiles(dir, { "style.css": ".count { color: blue; }\n" });
      const push = await c.next((m) => m.t === S.push && m.e === "dev:css", 10_000);
      assert.deepEqual((push.d as { f: string[] }).f, ["style.css"]);
      assert.deepEqual((await c.quiet(200)).filter((m) => (m.q ?? 0) > seq && m.t !== S.push), [], "no re-render");
    } finally {
      await c.close();
    }
  });
});
