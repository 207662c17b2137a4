// The htmx demo's HTTP side, against a real server (createDemo + listen): the pages, the page script, and the
// vendor files — only the fixed list, never a path from the URL on the filesystem.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createDemo, type DemoApp } from "../app.ts";
import { HTMX_PAGE_PATHS, HTMX_VIEWS } from "./index.ts";
import { VENDOR_PATHS } from "./vendor.ts";

describe("demo: the htmx pages over HTTP", () => {
  let app: DemoApp;
  let base = "";

  before(async () => {
    app = createDemo({ secret: "htmx-pages-test-secret-0123456789abcdef", redis: undefined });
    base = `http://127.0.0.1:${(await app.listen(0)).port}`;
  });
  after(() => app.close());

  it("serves every page for both generations with its generation's htmx and the CSRF token, setting the cookie", async () => {
    for (const path of HTMX_PAGE_PATHS) {
      const res = await fetch(base + path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
      assert.equal(res.headers.get("cache-control"), "no-store", "a page holds a per-browser token");
      assert.match(res.headers.get("set-cookie") ?? "", /^weft_htmx=[\w-]+;.*HttpOnly/i, `${path} sets the token's cookie`);
      const body = await res.text();
      const gen = path.split("/")[2];
      assert.ok(body.includes(`/vendor/htmx${gen}/htmx.min.js`), `${path} loads htmx ${gen}`);
      assert.ok(!body.includes(`/vendor/htmx${gen === "2" ? "4" : "2"}/`), `${path} loads no other generation`);
      assert.ok(!body.includes("/weft/client"), `${path} has no Weft client`);
      if (gen === "2") assert.ok(/hx-ext="(ws|sse)"/.test(body) && !/hx-ws:|hx-sse:/.test(body), `${path} uses the htmx 2 extensions' attributes`);
      else assert.ok(/hx-(ws|sse):connect=/.test(body) && !/ ws-connect=| sse-connect=/.test(body), `${path} uses htmx 4's attributes`);
    }
  });

  it("puts the token where each generation sends it: hx-headers (htmx 2), hx-vals:inherited (htmx 4), a hidden field (chat)", async () => {
    const cookie = "weft_htmx=AAAAAAAAAAAAAAAAAAAAAA";
    const page = async (path: string) => (await fetch(base + path, { headers: { cookie } })).text();
    const two = await page("/htmx/2/progress");
    const four = await page("/htmx/4/progress");
    const t2 = /hx-headers="\{&quot;X-Weft-CSRF&quot;:&quot;([\w-]+)&quot;\}"/.exec(two)?.[1];
    const t4 = /hx-vals:inherited="\{&quot;weft-csrf&quot;:&quot;([\w-]+)&quot;\}"/.exec(four)?.[1];
    assert.ok(t2 !== undefined && t4 !== undefined, "both pages carry the token, escaped");
    assert.equal(t2, t4, "one token per cookie");
    const chat = await page("/htmx/4/chat?room=lobby");
    assert.ok(chat.includes(`<input type="hidden" name="weft-csrf" value="${t2}">`));
    assert.ok(!chat.includes("hx-vals:inherited"), "the chat page uses only the field");
  });

  it("keeps hostile query values out of the page: room, job and step are checked or replaced", async () => {
    const chat = await (await fetch(`${base}/htmx/2/chat?room=${encodeURIComponent(`"><script>x</script>`)}`)).text();
    assert.ok(!chat.includes("<script>x"), "no markup from the room");
    assert.ok(chat.includes(`ws-connect="/weft/htmx/ws/hx/chat/lobby"`), "an invalid room is the lobby");
    const progress = await (await fetch(`${base}/htmx/4/progress?job=${encodeURIComponent(`a"b`)}&step=99999`)).text();
    assert.ok(progress.includes(`hx-ws:connect="/weft/htmx/ws/hx/progress?job=demo&amp;step=1000"`), "job replaced, step bounded");
  });

  it("answers an unknown page or generation with the app's 404", async () => {
    for (const path of ["/htmx/3/progress", "/htmx/2/nope", "/htmx/2/", "/htmx/2/progress/x"]) {
      const res = await fetch(base + path);
      assert.equal(res.status, 404, path);
      await res.arrayBuffer();
    }
  });

  it("serves the index and the page script", async () => {
    const index = await (await fetch(`${base}/htmx`)).text();
    for (const path of HTMX_PAGE_PATHS) assert.ok(index.includes(`href="${path}"`), `the index links ${path}`);
    const js = await fetch(`${base}/htmx/demo.js`);
    assert.match(js.headers.get("content-type") ?? "", /^text\/javascript/);
    assert.ok(!/innerHTML|eval\(|new Function/.test(await js.text()), "the page script builds no HTML from strings");
  });

  it("serves exactly the vendor files of its list, with a script type; nothing else under /vendor", async () => {
    assert.equal(VENDOR_PATHS.length, 6);
    for (const path of VENDOR_PATHS) {
      const res = await fetch(base + path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get("content-type") ?? "", /^text\/javascript/);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      assert.ok((await res.text()).length > 1000, `${path} has the file`);
    }
    const head = await fetch(base + VENDOR_PATHS[0]!, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), "");
    for (const path of ["/vendor/htmx2/../../package.json", "/vendor/htmx2/%2e%2e/%2e%2e/package.json", "/vendor/htmx2/htmx.js", "/vendor/htmx4/ext/hx-live.js", "/vendor/htmx2/htmx.min.js/", "/vendor/"]) {
      const res = await fetch(base + path);
      assert.equal(res.status, 404, path);
      await res.arrayBuffer();
    }
  });

  it("lists the htmx views in the app's htmx option, and leaves them out of the demo's routes (they are no Weft-client pages)", async () => {
    for (const path of Object.keys(HTMX_VIEWS)) {
      assert.ok(!app.routes.includes(path), path);
      // Served at /weft/htmx/sse/… (a view not in htmx.views answers 404 E_UNKNOWN_VIEW).
      const stop = new AbortController();
      const res = await fetch(`${base}/weft/htmx/sse${path.replace(":room", "lobby")}`, { headers: { accept: "text/event-stream" }, signal: stop.signal });
      assert.equal(res.status, 200, `${path} is served to htmx`);
      assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
      stop.abort();
    }
    assert.ok(app.routes.includes("/") && app.routes.includes("/chat"));
  });
});
