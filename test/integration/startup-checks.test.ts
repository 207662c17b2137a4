/**
 * Mistakes caught at start-up: each one fails at defineView or createWeft (or,
 * for a render that returns no template, at the first render) with a message
 * that names the key or the view and says what it got.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createWeft, defineView, html, type ViewDefinition, type WeftOptions } from "../../src/index.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { startApp } from "../support/server.ts";
import { Counter } from "../support/views.ts";

const SECRET = "0123456789abcdef0123";
const ok = { mount: () => ({ n: 0 }), render: () => html`<p>ok</p>` };

/** defineView(def) with the types switched off: these are the mistakes TypeScript cannot see (plain JS, `as any`, JSON config). */
const define = (def: unknown) => () => defineView(def as ViewDefinition<unknown>);
const weft = (opts: unknown) => () => createWeft(opts as WeftOptions);
const message = (re: RegExp) => (e: unknown) => e instanceof TypeError && re.test(e.message);

describe("defineView at start-up", () => {
  it("refuses an unknown key and suggests the known one it resembles", () => {
    assert.throws(define({ ...ok, evnets: { inc: (s: unknown) => s } }), message(/^defineView: unknown key `evnets` — did you mean `events`\?$/));
    assert.throws(define({ ...ok, rendr: ok.render }), message(/unknown key `rendr` — did you mean `render`\?/));
    assert.throws(define({ ...ok, terminat: () => {} }), message(/unknown key `terminat` — did you mean `terminate`\?/));
  });

  it("lists the known keys when an unknown key resembles none", () => {
    assert.throws(define({ ...ok, template: "x" }), message(/unknown key `template` — known keys: mount, events, info, render, title, auth, terminate/));
  });

  it("refuses an event handler that is neither a function nor { run }", () => {
    assert.throws(define({ ...ok, events: { inc: "increment" } }), message(/events\.inc must be a function .* got a string \("increment"\)/));
    assert.throws(define({ ...ok, events: { inc: { go: () => {} } } }), message(/events\.inc must be a function/));
  });

  it("refuses a terminate that is not a function", () => {
    assert.throws(define({ ...ok, terminate: "cleanup" }), message(/`terminate\(reason, state, ctx\)` must be a function, got a string/));
  });

  it("refuses an info handler that is not a function", () => {
    assert.throws(define({ ...ok, info: { tick: 5 } }), message(/info\.tick must be a function .* got number 5/));
  });

  it("refuses events given as an array", () => {
    assert.throws(define({ ...ok, events: [() => {}] }), message(/`events` must be an object of handlers by name.* got an array/));
  });

  it("refuses a missing render", () => {
    assert.throws(define({ mount: ok.mount }), message(/`render\(state\)` must be a function returning html`…`, got undefined/));
  });

  it("refuses a missing mount", () => {
    assert.throws(define({ render: ok.render }), message(/`mount\(params, ctx\)` must be a function .* got undefined/));
  });
});

describe("createWeft at start-up", () => {
  it("refuses an unknown option and suggests the known one it resembles", () => {
    assert.throws(weft({ views: { "/": Counter }, secret: SECRET, transport: ["sse"] }), message(/^createWeft: unknown key `transport` — did you mean `transports`\?$/));
    assert.throws(weft({ views: { "/": Counter }, secret: SECRET, onerror: () => {} }), message(/unknown key `onerror` — did you mean `onError`\?/));
  });

  it("names the option given a value of the wrong kind", () => {
    assert.throws(weft({ views: { "/": Counter }, secret: SECRET, onError: "log" }), message(/`onError` must be a function, got a string/));
    assert.throws(weft({ views: { "/": Counter }, secret: SECRET, requireTLS: "yes" }), message(/`requireTLS` must be true or false, got a string/));
    assert.throws(weft({ views: { "/": Counter }, secret: SECRET, debug: 1 }), message(/`debug` must be true or false, got number 1/));
    assert.throws(weft({ views: { "/": Counter }, secret: SECRET, heartbeatMs: "30s" }), message(/`heartbeatMs` must be a positive number, got 30s/));
    assert.throws(weft({ views: { "/": Counter }, secret: SECRET, pubsub: { publish() {} } }), message(/`pubsub` must be an object with subscribe\(\), publish\(\), close\(\); it lacks subscribe\(\), close\(\)/));
    assert.throws(weft({ views: { "/": Counter }, secret: SECRET, redis: 6379 }), message(/`redis` must be a URL .* got number 6379/));
  });

  it("refuses a views entry that is undefined, naming its path", () => {
    assert.throws(weft({ views: { "/": Counter, "/rooms/:id": undefined }, secret: SECRET }), message(/^createWeft: views\["\/rooms\/:id"\] is undefined — is the view exported/));
  });

  it("refuses a views entry that is not a view, naming its path and what it got", () => {
    assert.throws(weft({ views: { "/": "Counter" }, secret: SECRET }), message(/views\["\/"\]: a view must be an object made by defineView.*got a string \("Counter"\)/));
    assert.throws(weft({ views: { "/": { mount: ok.mount, render: ok.render, evnets: {} } }, secret: SECRET }), message(/views\["\/"\]: unknown key `evnets` — did you mean `events`\?/));
  });

  it("refuses views that are not an object of paths", () => {
    assert.throws(weft({ views: [Counter], secret: SECRET }), message(/`views` must map paths to views.*got an array/));
  });
});

describe("a render that returns no template", () => {
  const Stringy = defineView({ mount: () => ({ n: 1 }), render: ((s: { n: number }) => `<p>${s.n}</p>`) as never });
  const Later = defineView({
    mount: () => ({ n: 1 }),
    events: { wrong: (s) => ({ n: s.n + 1 }) },
    render: ((s: { n: number }) => (s.n > 1 ? undefined : html`<p>${s.n}</p>`)) as never,
  });

  it("fails the first render with a message naming the view and what it got", async () => {
    const { app, base, errors } = await startApp({ views: { "/stringy": Stringy } });
    try {
      const page = await fetch(`${base}/stringy`, { headers: { accept: "application/json" } });
      assert.equal(page.status, 500);
      assert.equal(((await page.json()) as { error: { code: string } }).error.code, "E_RENDER");
      const err = errors[0] as Error;
      assert.ok(err instanceof TypeError, String(err));
      assert.equal(err.message, 'Weft: render() of the view at "/stringy" must return an html`…` template, got a string ("<p>1</p>") — tag it: render: (state) => html`…`');
    } finally {
      await app.close();
    }
  });

  it("fails a later render the same way, and the view keeps its last good state", async () => {
    const { app, base, errors } = await startApp({ views: { "/later": Later } });
    const c = await ProtocolClient.connect(base);
    try {
      await c.join(1, (await getPage(base, "/later")).token);
      assert.equal((await c.event(1, "wrong")).c, "E_RENDER");
      assert.match(String((errors[0] as Error).message), /render\(\) of the view at "\/later" must return an html`…` template, got undefined — is a `return` missing\?/);
    } finally {
      await c.close();
      await app.close();
    }
  });
});
