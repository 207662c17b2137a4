import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_ERRORS, MAX_FRAMES, MAX_VIEWS, WireLog } from "./wire.ts";

const ev = (v: number, r: number, e = "inc"): string => JSON.stringify({ t: "e", v, r, e, d: {} });

describe("WireLog frames", () => {
  it("records a WebSocket frame string as one frame, whatever it holds", () => {
    const log = new WireLog();
    log.add("out", "websocket", '[{"t":"h"},{"t":"h"}]');
    log.add("in", "websocket", '{"n":2,"f":[{"t":"h"},{"t":"h"}]}');
    assert.equal(log.frames.length, 2);
    assert.deepEqual(log.frames.map((f) => f.dir), ["out", "in"]);
    assert.deepEqual(log.totals, { in: 1, out: 1, bytesIn: 33, bytesOut: 21 });
  });

  it("splits an SSE or HTTP POST body into its frames out", () => {
    for (const transport of ["sse", "http"] as const) {
      const log = new WireLog();
      log.add("out", transport, `[${ev(1, 1)},{"t":"h"}]`);
      assert.deepEqual(log.frames.map((f) => [f.dir, f.transport, f.kind, f.text]), [
        ["out", transport, "e", ev(1, 1)],
        ["out", transport, "h", '{"t":"h"}'],
      ]);
      assert.equal(log.frames[0]!.bytes, ev(1, 1).length);
      assert.equal(log.totals.out, 2);
    }
  });

  it("reads an HTTP answer {n, f} as its frames in", () => {
    const log = new WireLog();
    log.add("in", "http", '{"n":3,"f":[{"t":"f","v":1,"q":1,"d":{}},{"v":1,"q":2,"d":{}},{"t":"h"}]}');
    assert.deepEqual(log.frames.map((f) => [f.dir, f.kind, f.v]), [["in", "f", 1], ["in", "d", 1], ["in", "h", undefined]]);
    assert.equal(log.totals.in, 3);
  });

  it("records nothing for an SSE POST's empty answer (or any empty link body)", () => {
    const log = new WireLog();
    log.add("in", "sse", ""); // a POST to /weft/sse is answered 204, no body
    log.add("in", "http", "");
    log.add("out", "sse", "");
    log.add("out", "http", "");
    assert.equal(log.frames.length, 0);
    assert.deepEqual(log.totals, { in: 0, out: 0, bytesIn: 0, bytesOut: 0 });
    log.add("in", "sse", '{"v":1,"q":1,"d":{}}'); // a message of the stream is one frame
    assert.deepEqual(log.frames.map((f) => [f.kind, f.v]), [["d", 1]]);
  });

  it("counts bytes in UTF-8", () => {
    const log = new WireLog();
    log.add("out", "websocket", '{"t":"e","e":"é"}'); // 16 characters, é is 2 bytes
    log.add("out", "websocket", '{"t":"e","e":"😀"}'); // 😀 is 2 UTF-16 units, 4 bytes
    log.add("out", "websocket", "€"); // 3 bytes
    assert.deepEqual(log.frames.map((f) => f.bytes), [18, 20, 3]);
    assert.equal(log.totals.bytesOut, 41);
  });

  it("gives an envelope without t the kind d, and what is not an envelope the kind ?", () => {
    const log = new WireLog();
    log.add("in", "websocket", '{"v":1,"q":1,"d":{}}');
    log.add("in", "websocket", '{"t":"x","v":1,"c":"E_X","m":"no"}');
    log.add("in", "websocket", "not json");
    assert.deepEqual(log.frames.map((f) => f.kind), ["d", "x", "?"]);
  });

  it("tells onFrame of each frame with its fields", () => {
    const log = new WireLog();
    const seen: string[] = [];
    log.onFrame = (f) => seen.push(`${f.dir} ${f.transport} ${f.kind} ${f.v} ${f.r} ${f.e}`);
    log.add("out", "http", `[${ev(2, 7, "save")}]`);
    assert.deepEqual(seen, ["out http e 2 7 save"]);
  });

  it("records binary frames by their size as upload chunks", () => {
    const log = new WireLog();
    log.add("out", "websocket", new Uint8Array(10));
    log.add("out", "websocket", new ArrayBuffer(7));
    log.add("out", "http", new Blob(["abc"]));
    assert.deepEqual(log.frames.map((f) => [f.kind, f.bytes, f.text]), [["chunk", 10, ""], ["chunk", 7, ""], ["chunk", 3, ""]]);
  });
});

describe("WireLog per-view figures", () => {
  it("counts each event sent once, and a resend of its ref as resent", () => {
    const log = new WireLog();
    log.add("out", "websocket", ev(1, 1));
    log.add("out", "websocket", ev(1, 2));
    log.add("out", "websocket", ev(1, 2)); // after a reconnect
    const s = log.views.get(1)!;
    assert.equal(s.sent, 2);
    assert.equal(s.resent, 1);
    assert.deepEqual([...s.unacked], [1, 2]);
  });

  it("acknowledges an answer's ref and every one before it", () => {
    const log = new WireLog();
    for (let r = 1; r <= 4; r++) log.add("out", "websocket", ev(1, r));
    log.add("in", "websocket", '{"v":1,"q":1,"r":3,"d":{}}');
    const s = log.views.get(1)!;
    assert.deepEqual([...s.unacked], [4]);
    assert.equal(s.acked, 3);
    log.add("in", "websocket", '{"t":"r","v":1,"r":4}');
    assert.equal(s.unacked.size, 0);
    assert.equal(s.acked, 4);
    log.add("in", "websocket", '{"t":"r","v":1,"r":4}'); // answered again: counted once
    assert.equal(s.acked, 4);
  });

  it("counts a live patch, an upload's declaration and its cancel as frames of the event sequence; a join or an ack is none", () => {
    const log = new WireLog();
    log.add("out", "websocket", '{"t":"p","v":1,"r":1,"d":{"u":"/a?x=1"}}');
    log.add("out", "websocket", '{"t":"u","v":1,"r":2,"e":"photos","d":[["u1","a.png","image/png",9]]}');
    log.add("out", "websocket", '{"t":"c","v":1,"r":3,"e":"photos","d":"u1"}');
    log.add("out", "websocket", '{"t":"j","v":1,"d":{}}');
    log.add("out", "websocket", '{"t":"a","v":1,"q":4}');
    const s = log.views.get(1)!;
    assert.equal(s.sent, 3);
    assert.deepEqual([...s.unacked], [1, 2, 3]);
    log.add("in", "websocket", '{"t":"r","v":1,"r":3}');
    assert.equal(s.unacked.size, 0);
    assert.equal(s.acked, 3);
  });

  it("acknowledges only its own ref on an error frame", () => {
    const log = new WireLog();
    for (let r = 1; r <= 3; r++) log.add("out", "websocket", ev(1, r));
    log.add("in", "websocket", '{"t":"x","v":1,"r":2,"c":"E_HANDLER","m":"boom"}');
    const s = log.views.get(1)!;
    assert.deepEqual([...s.unacked].sort(), [1, 3]);
    assert.equal(s.acked, 1);
  });

  it("keeps each view's figures apart", () => {
    const log = new WireLog();
    log.add("out", "websocket", ev(1, 5));
    log.add("out", "websocket", ev(2, 5));
    log.add("in", "websocket", '{"t":"r","v":2,"r":5}');
    assert.deepEqual([...log.views.get(1)!.unacked], [5]);
    assert.deepEqual([...log.views.get(2)!.unacked], []);
  });

  it("follows q as seq, and a full render restarts it", () => {
    const log = new WireLog();
    log.add("in", "websocket", '{"t":"f","v":1,"q":1,"d":{}}');
    log.add("in", "websocket", '{"v":1,"q":2,"d":{}}');
    log.add("in", "websocket", '{"v":1,"q":5,"d":{}}');
    assert.equal(log.views.get(1)!.seq, 5);
    log.add("in", "websocket", '{"v":1,"q":3,"d":{}}'); // a replay does not go back
    assert.equal(log.views.get(1)!.seq, 5);
    log.add("in", "websocket", '{"t":"f","v":1,"q":1,"d":{}}');
    assert.equal(log.views.get(1)!.seq, 1);
  });

  it("measures the round trip from the event out to its answer in", () => {
    const log = new WireLog();
    log.add("out", "websocket", ev(1, 1), 1_000);
    log.add("in", "websocket", '{"v":1,"q":1,"r":1,"d":{}}', 1_042);
    assert.equal(log.frames[1]!.rtt, 42);
    assert.equal(log.views.get(1)!.rtt, 42);
    assert.equal(log.frames[0]!.rtt, undefined);
    log.add("in", "websocket", '{"v":1,"q":2,"d":{}}', 1_100); // not an answer
    assert.equal(log.frames[2]!.rtt, undefined);
    assert.equal(log.views.get(1)!.rtt, 42);
  });

  it("measures a round trip once: a later frame naming an answered ref (a rejoin's reply names the last ref applied) has none", () => {
    const log = new WireLog();
    log.add("out", "websocket", ev(1, 1), 1_000);
    log.add("in", "websocket", '{"v":1,"q":1,"r":1,"d":{}}', 1_042);
    // A cut, minutes later the rejoin: its reply names ref 1, the last the server applied.
    log.add("out", "websocket", '{"t":"j","v":1,"d":{"q":1}}', 300_000);
    log.add("in", "websocket", '{"t":"r","v":1,"r":1,"d":{"k":"token"}}', 300_010);
    assert.equal(log.frames[3]!.rtt, undefined);
    assert.equal(log.views.get(1)!.rtt, 42);
    // A resend of an unacknowledged ref is measured from the resend.
    log.add("out", "websocket", ev(1, 2), 300_020);
    log.add("out", "websocket", ev(1, 2), 300_500);
    log.add("in", "websocket", '{"v":1,"q":2,"r":2,"d":{}}', 300_530);
    assert.equal(log.frames[6]!.rtt, 30);
    // And an error answering an answered ref still names its event.
    assert.equal(log.error("E_HANDLER", "boom", 1, 1).event, "inc");
  });

  it("counts joins and live navigations", () => {
    const log = new WireLog();
    log.add("out", "websocket", '{"t":"j","v":1,"d":{}}');
    log.add("out", "sse", '[{"t":"j","v":1,"d":{}},{"t":"n","v":1,"d":{}}]');
    assert.equal(log.views.get(1)!.joins, 3);
  });
});

describe("WireLog errors and history", () => {
  it("names the event that caused an error", () => {
    const log = new WireLog();
    log.add("out", "websocket", ev(3, 9, "save"));
    const rec = log.error("E_HANDLER", "boom", 3, 9, 5);
    assert.deepEqual(rec, { at: 5, code: "E_HANDLER", message: "boom", view: 3, ref: 9, event: "save" });
    assert.equal(log.errors.length, 1);
    assert.equal(log.error("E_HANDLER", "boom", 3, 10).event, undefined); // a ref never sent
    assert.equal(log.error("E_HANDLER", "boom", 4, 9).event, undefined); // another view
    assert.equal(log.error("E_NETWORK", "down", undefined, undefined).event, undefined);
  });

  it("keeps the last history lines", () => {
    const log = new WireLog();
    for (let i = 0; i < 60; i++) log.note(`line ${i}`, i);
    assert.equal(log.history.length, 50);
    assert.equal(log.history.at(-1)!.text, "line 59");
  });
});

describe("WireLog bounds", () => {
  it("keeps the last MAX_FRAMES frames", () => {
    const log = new WireLog();
    for (let i = 0; i < MAX_FRAMES + 25; i++) log.add("out", "websocket", `{"t":"h","i":${i}}`);
    assert.equal(log.frames.length, MAX_FRAMES);
    assert.equal(log.frames[0]!.text, '{"t":"h","i":25}');
    assert.equal(log.frames.at(-1)!.text, `{"t":"h","i":${MAX_FRAMES + 24}}`);
    assert.equal(log.totals.out, MAX_FRAMES + 25); // totals still count everything
  });

  it("tracks at most MAX_VIEWS views, forgetting the oldest (a server sending any v cannot grow the log)", () => {
    const log = new WireLog();
    for (let v = 1; v <= MAX_VIEWS + 50; v++) log.add("in", "websocket", `{"v":${v},"q":1,"d":{}}`);
    assert.equal(log.views.size, MAX_VIEWS);
    assert.equal(log.views.has(50), false);
    assert.equal(log.views.get(MAX_VIEWS + 50)?.seq, 1);
  });

  it("keeps the last MAX_ERRORS errors", () => {
    const log = new WireLog();
    for (let i = 0; i < MAX_ERRORS + 10; i++) log.error("E_X", `e${i}`, undefined, undefined);
    assert.equal(log.errors.length, MAX_ERRORS);
    assert.equal(log.errors[0]!.message, "e10");
  });

  it("cuts a frame's text over 2,000 characters, not its size", () => {
    const log = new WireLog();
    const long = JSON.stringify({ t: "p", e: "x".repeat(5_000) });
    log.add("in", "websocket", long);
    const f = log.frames[0]!;
    assert.ok(f.text.length <= 2_001, `text is ${f.text.length} characters`);
    assert.equal(f.text.slice(0, 2_000), long.slice(0, 2_000));
    assert.equal(f.bytes, long.length);
    assert.equal(f.kind, "p"); // read from the whole frame
    const exact = "y".repeat(2_000);
    log.add("in", "websocket", exact);
    assert.equal(log.frames[1]!.text, exact);
  });
});

describe("WireLog hostile frames", () => {
  const hostile = [
    "not json",
    "{",
    "[1,2,3]",
    "null",
    "42",
    '"a string"',
    "[]",
    '{"v":"1","r":"2","t":"e"}',
    '{"t":{"x":1},"v":1}',
    '{"t":["e"],"v":1,"r":1}',
    '{"__proto__":{"polluted":1,"v":1},"t":"e"}',
    '{"constructor":{"prototype":{"polluted":1}},"v":1,"q":1}',
    '{"t":"e","v":1,"r":1,"e":"__proto__"}',
    '{"t":"x","v":1,"r":1e400}',
    '{"v":-1,"q":"9","r":null}',
    "\u0000\uffff\ud800",
  ];

  it("never throws, records what is not an envelope as ?, and pollutes nothing", () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    for (const transport of ["websocket", "sse", "http"] as const) {
      for (const dir of ["in", "out"] as const) {
        const log = new WireLog();
        for (const h of hostile) {
          assert.doesNotThrow(() => log.add(dir, transport, h), `${dir} ${transport} ${h}`);
          assert.doesNotThrow(() => log.add(dir, transport, `{"n":1,"f":${h}}`));
          assert.doesNotThrow(() => log.add(dir, transport, `[${h}]`));
        }
        assert.doesNotThrow(() => log.error(String({}) as string, "m", 1, 1));
        for (const f of log.frames) assert.equal(typeof f.kind, "string");
      }
    }
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), before);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it("reads no figures from a frame whose v is not a number", () => {
    const log = new WireLog();
    log.add("out", "websocket", '{"t":"e","v":"1","r":1,"e":"inc"}');
    log.add("in", "websocket", '{"v":"1","q":4,"r":1}');
    log.add("in", "websocket", '{"__proto__":{"v":1,"q":4}}');
    assert.equal(log.views.size, 0);
    assert.deepEqual(log.frames.map((f) => [f.v, f.r]), [[undefined, 1], [undefined, 1], [undefined, undefined]]);
  });

  it("gives the kind ? to frames that are not envelopes", () => {
    const log = new WireLog();
    for (const h of ["not json", "[1,2]", "null", "42", '"s"']) log.add("in", "websocket", h);
    assert.deepEqual(log.frames.map((f) => f.kind), ["?", "?", "?", "?", "?"]);
  });

  it("gives the kind ? to an envelope whose t is not a string", () => {
    const log = new WireLog();
    log.add("in", "websocket", '{"t":{"x":1}}');
    log.add("in", "websocket", '{"t":1,"v":1,"q":9}');
    assert.deepEqual(log.frames.map((f) => f.kind), ["?", "?"]);
    assert.equal(log.views.get(1)?.seq ?? 0, 0);
  });

  it("keeps a link body it cannot split as one frame", () => {
    const log = new WireLog();
    log.add("out", "http", "[1,");
    log.add("in", "http", '{"n":1,"f":"nope"}');
    log.add("in", "http", "[1,2]");
    log.add("in", "http", "null");
    // An object without t reads as a diff, as the client would read it.
    assert.deepEqual(log.frames.map((f) => [f.kind, f.text]), [["?", "[1,"], ["d", '{"n":1,"f":"nope"}'], ["?", "[1,2]"], ["?", "null"]]);
  });

  it("survives an answer nested too deep to write back as text", () => {
    const log = new WireLog();
    const deep = "[".repeat(200_000) + "]".repeat(200_000);
    assert.doesNotThrow(() => log.add("in", "http", `{"n":1,"f":[${deep},{"t":"h"}]}`));
    assert.doesNotThrow(() => log.add("out", "sse", `[${deep}]`));
    assert.ok(log.frames.length >= 2);
    for (const f of log.frames) assert.ok(f.text.length <= 2_001);
  });
});
