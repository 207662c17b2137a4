import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isRefusal, parseFrame, type FrameRefusal, type HtmxFrame } from "./frames.ts";

/**
 * Frames as the two generations send them: the body ws.js (htmx-ext-ws 2.0.4)
 * builds from getInputValues + getExpressionVars + getHeaders, and the body
 * hx-ws.js (htmx 4.0.1) builds from collectFormData + hx-vals + the request
 * context's headers.
 */
const HTMX2_FORM = JSON.stringify({
  title: "milk",
  "weft-csrf": "tok",
  HEADERS: { "HX-Request": "true", "HX-Trigger": "add", "HX-Trigger-Name": null, "HX-Target": "todos", "HX-Current-URL": "http://127.0.0.1:3000/todos" },
});
const HTMX2_HEADER_TOKEN = JSON.stringify({
  title: "milk",
  HEADERS: { "HX-Request": "true", "HX-Trigger": null, "HX-Trigger-Name": "add", "HX-Target": null, "HX-Current-URL": "http://127.0.0.1:3000/todos", "X-Weft-CSRF": "tok" },
});
const HTMX4_FORM = JSON.stringify({
  title: "milk",
  tags: ["a", "b"],
  "weft-csrf": "tok",
  headers: { "HX-Request": "true", "HX-Source": "form#add", "HX-Current-URL": "http://127.0.0.1:3000/todos", "HX-Target": "form#add" },
});

function frame(r: HtmxFrame | FrameRefusal): HtmxFrame {
  assert.ok(!isRefusal(r), `refused: ${JSON.stringify(r)}`);
  return r;
}

function refusal(r: HtmxFrame | FrameRefusal): FrameRefusal {
  assert.ok(isRefusal(r), `accepted: ${JSON.stringify(r)}`);
  return r;
}

describe("parseFrame", () => {
  // The frames Chromium sent for one ws-send form in test/e2e/htmx-wire.test.ts (a hidden weft-event,
  // two checked "tag" boxes, a named submit button, hx-vals {"n": 5}, hx-headers on <main> and the form).
  it("reads the frame htmx 2.0.11 + ext-ws 2.0.4 sent in Chromium", () => {
    const sent = {
      "weft-event": "add", title: "hello", tag: ["x", "y"], action: "save", n: 5,
      HEADERS: { "HX-Request": "true", "HX-Trigger": "f", "HX-Trigger-Name": "fname", "HX-Target": "f", "HX-Current-URL": "http://127.0.0.1:1/page/send2", "X-Weft-CSRF": "tok-1", "X-Form": "1" },
    };
    assert.deepEqual(frame(parseFrame(JSON.stringify(sent))), { event: "add", payload: { title: "hello", tag: ["x", "y"], action: "save", n: 5 }, csrf: "tok-1" });
  });

  it("reads the frame htmx 4.0.1 hx-ws sent in Chromium: no hx-headers, so no token unless a field carries it", () => {
    const sent = {
      "weft-event": "add", title: "hello", tag: ["x", "y"], action: "save", n: 5,
      headers: { "HX-Request": "true", "HX-Source": "form#f", "HX-Target": "form#f", "HX-Current-URL": "http://127.0.0.1:1/page/send4" },
    };
    assert.deepEqual(frame(parseFrame(JSON.stringify(sent))), { event: "add", payload: { title: "hello", tag: ["x", "y"], action: "save", n: 5 }, csrf: undefined });
    assert.equal(frame(parseFrame(JSON.stringify({ ...sent, "weft-csrf": "tok-1" }))).csrf, "tok-1");
  });

  it("reads an htmx 2 ext-ws frame: event from HX-Trigger, token from the field, payload without HEADERS", () => {
    assert.deepEqual(frame(parseFrame(HTMX2_FORM)), { event: "add", payload: { title: "milk" }, csrf: "tok" });
  });

  it("reads an htmx 2 frame whose token came through hx-headers and whose element has a name", () => {
    assert.deepEqual(frame(parseFrame(HTMX2_HEADER_TOKEN)), { event: "add", payload: { title: "milk" }, csrf: "tok" });
  });

  it("reads an htmx 4 hx-ws frame: event from the id in HX-Source, multi-value fields kept as arrays", () => {
    assert.deepEqual(frame(parseFrame(HTMX4_FORM)), { event: "add", payload: { title: "milk", tags: ["a", "b"] }, csrf: "tok" });
  });

  it("prefers weft-event over HX-Trigger-Name over HX-Trigger over HX-Source", () => {
    const h = { "HX-Trigger-Name": "byName", "HX-Trigger": "byId", "HX-Source": "form#bySource" };
    assert.equal(frame(parseFrame(JSON.stringify({ "weft-event": "byField", HEADERS: h }))).event, "byField");
    assert.equal(frame(parseFrame(JSON.stringify({ HEADERS: h }))).event, "byName");
    assert.equal(frame(parseFrame(JSON.stringify({ HEADERS: { "HX-Trigger": "byId", "HX-Source": "form#s" } }))).event, "byId");
    assert.equal(frame(parseFrame(JSON.stringify({ headers: { "HX-Source": "button#save" } }))).event, "save");
  });

  it("decodes htmx 4's encodeURI'd id in HX-Source", () => {
    assert.equal(frame(parseFrame(JSON.stringify({ headers: { "HX-Source": "form#caf%C3%A9" } }))).event, "café");
  });

  it("compares header names without case", () => {
    const f = frame(parseFrame(JSON.stringify({ headers: { "hx-source": "form#add", "x-weft-csrf": "tok" } })));
    assert.equal(f.event, "add");
    assert.equal(f.csrf, "tok");
  });

  it("takes the weft-csrf field over the header", () => {
    assert.equal(frame(parseFrame(JSON.stringify({ "weft-event": "a", "weft-csrf": "field", HEADERS: { "X-Weft-CSRF": "header" } }))).csrf, "field");
  });

  it("reads no token when none is sent", () => {
    assert.equal(frame(parseFrame(JSON.stringify({ "weft-event": "a" }))).csrf, undefined);
  });

  it("keeps hx-vals values of any JSON type in the payload", () => {
    const f = frame(parseFrame(JSON.stringify({ "weft-event": "set", n: 3, ok: true, o: { x: [1] } })));
    assert.deepEqual(f.payload, { n: 3, ok: true, o: { x: [1] } });
  });

  it("keeps a __proto__ key as data, never as the payload's prototype", () => {
    const f = frame(parseFrame('{"weft-event":"a","__proto__":{"polluted":1}}'));
    assert.equal(Object.getPrototypeOf(f.payload), Object.prototype);
    assert.equal((f.payload as { polluted?: number }).polluted, undefined);
    assert.equal(({} as { polluted?: number }).polluted, undefined);
  });

  it("refuses what is not a JSON object with E_BAD_FRAME", () => {
    for (const text of ["hello", "", "[1,2]", "null", "42", '"a"', "{", '{"a":1}x']) {
      assert.equal(refusal(parseFrame(text)).code, "E_BAD_FRAME", text);
    }
  });

  it("refuses a weft-event or weft-csrf that is not one string, and malformed headers", () => {
    assert.equal(refusal(parseFrame(JSON.stringify({ "weft-event": ["a", "b"] }))).code, "E_BAD_FRAME");
    assert.equal(refusal(parseFrame(JSON.stringify({ "weft-event": 1 }))).code, "E_BAD_FRAME");
    assert.equal(refusal(parseFrame(JSON.stringify({ "weft-event": "a", "weft-csrf": ["x", "y"] }))).code, "E_BAD_FRAME");
    assert.equal(refusal(parseFrame(JSON.stringify({ "weft-event": "a", HEADERS: "x" }))).code, "E_BAD_FRAME");
    assert.equal(refusal(parseFrame(JSON.stringify({ "weft-event": "a", headers: [1] }))).code, "E_BAD_FRAME");
    assert.equal(refusal(parseFrame(JSON.stringify({ headers: { "X-Weft-CSRF": "a", "x-weft-csrf": "b" }, "weft-event": "e" }))).code, "E_BAD_FRAME");
  });

  it("refuses an event name over 256 characters", () => {
    assert.equal(refusal(parseFrame(JSON.stringify({ "weft-event": "x".repeat(257) }))).code, "E_BAD_FRAME");
  });

  it("answers E_UNKNOWN_EVENT when nothing names the event", () => {
    const r = refusal(parseFrame(JSON.stringify({ title: "x", HEADERS: { "HX-Trigger": null, "HX-Trigger-Name": null } })));
    assert.equal(r.code, "E_UNKNOWN_EVENT");
    assert.match(r.message, /weft-event/);
    assert.equal(refusal(parseFrame(JSON.stringify({ headers: { "HX-Source": "form" } }))).code, "E_UNKNOWN_EVENT");
    assert.equal(refusal(parseFrame(JSON.stringify({ "weft-event": "" }))).code, "E_UNKNOWN_EVENT");
  });

  it("never throws on odd input", () => {
    for (const text of ['{"headers":{"HX-Source":"form#%E0%A4%A"}}', '{"HEADERS":null,"headers":{}}', "\u0000", "{}"]) {
      assert.doesNotThrow(() => parseFrame(text));
    }
  });
});
