import assert from "node:assert/strict";
import { describe, it, mock } from "node:test";
import type { Payload } from "./bindings.ts";
import { JS_URL_ATTRIBUTES } from "../server/js-commands.ts";
import { URL_ATTRIBUTES } from "../server/template/escape.ts";
import { commandSink, exec } from "./js-commands.ts";

/** An element stand-in: the logic under test only dispatches weft:error on it (codes and messages recorded). */
function fakeEl(): Element & { codes: string[]; messages: string[] } {
  const el = new EventTarget() as unknown as Element & { codes: string[]; messages: string[] };
  el.codes = [];
  el.messages = [];
  el.addEventListener("weft:error", (e) => {
    const { code, message } = (e as CustomEvent<{ code: string; message: string }>).detail;
    el.codes.push(code);
    el.messages.push(message);
  });
  return el;
}

/** Runs `fn` with console.warn recorded (the client warns of nothing: a dev page's warnings are dev-warnings.ts's). */
function warnings(fn: () => void): string[] {
  const seen: string[] = [];
  const w = mock.method(console, "warn", (...a: unknown[]) => void seen.push(a.map(String).join(" ")));
  try {
    fn();
  } finally {
    w.mock.restore();
  }
  return seen;
}

describe("JS commands (client, without a DOM)", () => {
  it("sends each push of a list with its value and target, in order", () => {
    const sent: unknown[] = [];
    exec(fakeEl(), '[["push",{"event":"a"}],["push",{"event":"b","value":{"n":1},"target":"c1"}]]', (...a) => sent.push(a));
    assert.deepEqual(sent, [["a", undefined, undefined], ["b", { n: 1 }, "c1"]]);
  });

  it("merges a push's value over the binding's payload and keeps the binding's elements and target", () => {
    const got: unknown[] = [];
    const el = fakeEl();
    const sink = commandSink(el, '[["push",{"event":"save","value":{"extra":true,"title":"over"}}],["push",{"event":"other","target":"c9"}]]', {
      push: (...a) => got.push(a),
    });
    const payload: Payload = { title: "t", id: "7" };
    sink.push("ignored", payload, [el], "c1");
    assert.deepEqual(got, [
      ["save", { title: "over", id: "7", extra: true }, [el], "c1"],
      ["other", { title: "t", id: "7" }, [el], "c9"],
    ]);
  });

  for (const [what, json] of [
    ["not JSON", '[["push",{"event":"a"}]'],
    ["not an array", '{"0":["push",{"event":"a"}]}'],
    ["null", "null"],
    ["an unknown command", '[["push",{"event":"a"}],["eval","x"]]'],
    ["an inherited name", '[["push",{"event":"a"}],["toString",{}]]'],
    ["a name that is not a string", '[["push",{"event":"a"}],[["push"],{"event":"b"}]]'],
    ["args that are not an object", '[["push",{"event":"a"}],["push","b"]]'],
    ["null args", '[["push",{"event":"a"}],["push",null]]'],
    ["an item that is not a pair", '[["push",{"event":"a"}],7]'],
    ["65 commands", JSON.stringify(Array.from({ length: 65 }, () => ["push", { event: "a" }]))],
  ] as const) {
    it(`runs nothing of a list with ${what}, and reports E_CLIENT_JS`, () => {
      const el = fakeEl();
      const sent: unknown[] = [];
      const seen = warnings(() => exec(el, json, (...a) => sent.push(a)));
      assert.deepEqual(sent, []);
      assert.deepEqual(seen, [], "no console warning (a dev page's part warns of the weft:error)");
      assert.deepEqual(el.codes, ["E_CLIENT_JS"]);
      assert.deepEqual(el.messages, [json.slice(0, 99)], "the list (its first 99 characters) is the message");
    });
  }

  it("runs a list of 64 commands", () => {
    const sent: unknown[] = [];
    exec(fakeEl(), JSON.stringify(Array.from({ length: 64 }, () => ["push", { event: "a" }])), (...a) => sent.push(a));
    assert.equal(sent.length, 64);
  });

  it("reports a bad list once however often it runs, and at most 50 distinct lists", () => {
    const el = fakeEl();
    for (let i = 0; i < 3; i++) exec(el, '[["once",{}]]', () => {});
    for (let i = 0; i < 100; i++) exec(el, `[["many-${i}",{}]]`, () => {});
    const seen = el.messages;
    assert.equal(seen.filter((w) => w.includes("once")).length, 1);
    assert.ok(seen.some((w) => w.includes('"many-0"')), "a new distinct list is reported");
    assert.ok(!seen.some((w) => w.includes('"many-99"')), "past 50 remembered lists, no more are");
  });
});

describe("JS commands: setAttribute (client, without a DOM)", () => {
  /** What `setAttribute` leaves on an element stand-in, run as a one-command list (warnings muted). */
  function setAttr(name: unknown, value: unknown): Record<string, string> {
    const attrs: Record<string, string> = {};
    const el = Object.assign(fakeEl(), { setAttribute: (n: string, v: string) => void (attrs[n] = v) });
    warnings(() => exec(el, JSON.stringify([["setAttribute", { name, value }]])));
    return attrs;
  }

  /** Each `[name, value]` is set as given. */
  function setsEach(pairs: [string, string][]): void {
    for (const [n, v] of pairs) assert.deepEqual(setAttr(n, v), { [n]: v }, `${n}=${v}`);
  }

  it("sets any text in an attribute that is not a URL attribute, scheme-like words included", () => {
    setsEach([
      ["title", "Transcript: 3"],
      ["aria-label", "Export data: CSV"],
      ["title", "javascript: the good parts"],
      ["alt", "vbscript:"],
      ["data-x", "data:1"],
      ["aria-description", "on script: data:"],
    ]);
  });

  it("sets safe URLs in URL attributes, a dangerous scheme later in the URL included", () => {
    setsEach([
      ["href", "/notes?as=data:csv"],
      ["href", "https://example.com/javascript:1"],
      ["src", "img/data.png"],
      ["action", "mailto:a@example.com"],
      ["HREF", "#top"],
    ]);
  });

  it("refuses event handlers, srcdoc, and javascript:/data:/vbscript: URLs in URL attributes", () => {
    for (const [n, v] of [
      ["onclick", "x()"],
      ["ONMOUSEOVER", "x()"],
      ["srcdoc", "<b>x</b>"],
      ["SrcDoc", "text"],
      ["href", "javascript:alert(1)"],
      ["HREF", "JavaScript:alert(1)"],
      ["href", " \u0001java\tscr\nipt:alert(1)"],
      ["src", "data:text/html,<script>x()</script>"],
      ["action", "vbscript:x"],
      ["formaction", "javascript:x"],
      ["xlink:href", "javascript:x"],
      ["poster", "javascript:x"],
      ["data", "data:text/html,x"],
      ["href", ["javascript:x"]],
      ["title", 3],
    ] as const) {
      assert.deepEqual(setAttr(n, v), {}, `${n}=${JSON.stringify(v)}`);
    }
  });

  it("treats as URL attributes exactly the server builder's JS_URL_ATTRIBUTES", () => {
    const names = new Set([...URL_ATTRIBUTES, "title", "style", "class"]);
    const refused = [...names].filter((n) => Object.keys(setAttr(n, "javascript:x")).length === 0);
    assert.deepEqual(refused.sort(), [...JS_URL_ATTRIBUTES].sort());
  });
});
