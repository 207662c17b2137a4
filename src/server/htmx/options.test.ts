import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createWeft, defineView, html } from "../../index.ts";
import { DEFAULT_CONNECT_RATE, resolveHtmx, type HtmxOptions } from "./options.ts";

const Plain = defineView({ mount: () => ({}), render: () => html`<p id="p">hi</p>` });
const WithUploads = defineView({ mount: () => ({}), uploads: { photo: { accept: [".png"] } }, render: () => html`<p id="p">hi</p>` });
const render = () => html`<p id="x">x</p>`;

function resolve(o: unknown) {
  return resolveHtmx(o as HtmxOptions, ["/a", "/rooms/:id", "/up"], { "/a": Plain, "/rooms/:id": Plain, "/up": WithUploads });
}

describe("resolveHtmx", () => {
  it("is undefined without the option", () => {
    assert.equal(resolve(undefined), undefined);
  });

  it("resolves views, topics, the error id and the connect rate with their defaults", () => {
    const r = resolve({ views: ["/a", "/rooms/:id"], topics: { "jobs:*": { render }, status: { json: true } } })!;
    assert.deepEqual([...r.views], ["/a", "/rooms/:id"]);
    assert.deepEqual(r.topics.map((t) => [t.pattern, t.prefix, t.name]), [["jobs:*", true, "jobs:"], ["status", false, "status"]]);
    assert.equal(r.errorId, "weft-error");
    assert.deepEqual(r.connectRate, DEFAULT_CONNECT_RATE);
    assert.ok(Object.isFrozen(r));
  });

  it("refuses a view path that is not one of the app's views, naming it", () => {
    assert.throws(() => resolve({ views: ["/rooms/lobby"] }), /htmx\.views` names a string \("\/rooms\/lobby"\), which is not a path of `views`/);
    assert.throws(() => resolve({ views: "/a" }), /must be a list of view paths/);
  });

  it("refuses a view with uploads, naming it", () => {
    assert.throws(() => resolve({ views: ["/up"] }), /lists "\/up", whose view has `uploads`/);
  });

  it("refuses topic patterns that are empty, `*` alone or with a `*` not at the end", () => {
    for (const p of ["", "*", "a*b", "**"]) assert.throws(() => resolve({ topics: { [p]: { render } } }), /a topic pattern is a name/, p);
  });

  it("refuses a topic without exactly one of render and json: true", () => {
    assert.throws(() => resolve({ topics: { t: {} } }), /exactly one of `render`/);
    assert.throws(() => resolve({ topics: { t: { json: false } } }), /exactly one of `render`/);
    assert.throws(() => resolve({ topics: { t: { render, json: true } } }), /exactly one of `render`/);
    assert.throws(() => resolve({ topics: { t: { render: "x" } } }), /render must be a function/);
    assert.throws(() => resolve({ topics: { t: { json: true, current: 1 } } }), /current must be a function/);
    assert.throws(() => resolve({ topics: { t: { json: true, authorize: "yes" } } }), /authorize must be a function/);
    assert.equal(resolve({ topics: { "t:*": { json: true, authorize: () => true } } })?.topics[0]?.topic.authorize?.("t:1", {}, {} as never), true);
    assert.throws(() => resolve({ topics: { t: { json: true, rendr: render } } }), /unknown key `rendr`/);
  });

  it("refuses unknown keys, a bad error id and a bad connect rate", () => {
    assert.throws(() => resolve({ view: ["/a"] }), /unknown key `view` — did you mean `views`\?/);
    assert.throws(() => resolve({ errorId: 'x" onclick="y' }), /htmx.errorId` must be an HTML id/);
    assert.throws(() => resolve({ connectRate: { perSecond: 0, burst: 1 } }), /connectRate/);
  });

  it("is checked by createWeft", () => {
    assert.throws(() => createWeft({ views: { "/a": Plain }, secret: "s".repeat(32), htmx: { views: ["/b"] } }), TypeError);
  });
});
