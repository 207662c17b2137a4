/**
 * The hostile-input suite, CI size: 3,000 seeded inputs across WebSocket, SSE
 * and HTTP against one app with one victim per transport, then the
 * invariants; and the default limits (rate, abuse, depth, link cookies)
 * answering floods and tricks with codes, not crashes.
 * The full run is `npm run fuzz` (scripts/fuzz.ts, 100,000 inputs).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isErrorCode } from "../../src/protocol/errors.ts";
import { PATHS } from "../../src/protocol/messages.ts";
import { Attacker } from "./attacker.ts";
import { runFuzz } from "./engine.ts";
import { deepText } from "./hostile-values.ts";
import { Harness } from "./harness.ts";
import type { FuzzReport, Transport } from "./report.ts";
import { Victim, VICTIM_VIEW } from "./victim.ts";

const RUNS = 3_000;
const SEED = 0x5eed;

describe("hostile input, 3,000 seeded inputs over every transport", () => {
  let report: FuzzReport;
  before(async () => {
    report = await runFuzz({ runs: RUNS, seed: SEED, checkEvery: 1_000, timeLimitMs: 45_000 });
    if (!report.ok) console.log(report.summary());
  });
  const failures = (pred: (kind: string) => boolean) => report.failures.filter((f) => pred(f.kind)).map((f) => `#${f.index} ${f.transport}/${f.kind}: ${f.problem} — ${f.input}`);
  const invariant = (re: RegExp) => report.invariants.filter((i) => re.test(i.name));

  it("sends every input, spread across websocket, sse and http, in time", () => {
    assert.equal(report.total, RUNS);
    assert.equal(report.timedOut, false);
    for (const t of ["websocket", "sse", "http"] as const) assert.ok(Object.values(report.sent[t]).reduce((a, b) => a + b, 0) > RUNS / 5, `${t}: ${JSON.stringify(report.sent[t])}`);
  });

  it("answers every request with a 2xx or a registered 4xx, never a 5xx or a hang", () => {
    assert.deepEqual(failures((k) => !["frame", "invariant", "checkpoint", "attackers", "fuzzer"].includes(k)), []);
  });

  it("sends only error frames with registered codes", () => {
    assert.deepEqual(failures((k) => k === "frame"), []);
    for (const code of Object.keys(report.frameCodes)) assert.ok(isErrorCode(code), code);
  });

  it("records no uncaught exception and no unhandled rejection", () => {
    assert.deepEqual(report.uncaught, []);
    assert.deepEqual(report.unhandled, []);
  });

  it("reports to onError only the handler failures the fuzzer asked for", () => {
    assert.deepEqual(report.appErrors, []);
  });

  it("leaves every victim exactly as it was, with no frame it did not cause", () => {
    assert.deepEqual(failures((k) => k === "checkpoint").filter((f) => f.includes("victim")), []);
    assert.deepEqual(invariant(/victim/).filter((i) => !i.ok), []);
    assert.equal(invariant(/victim/).length, 3);
  });

  it("lets a fresh client join and use /counter afterwards", () => {
    assert.deepEqual(failures((k) => k === "checkpoint").filter((f) => f.includes("fresh")), []);
    assert.deepEqual(invariant(/fresh/).filter((i) => !i.ok), []);
  });

  it("keeps the server's own bookkeeping: attackers last, the run completes, the app closes", () => {
    assert.deepEqual(failures((k) => k === "attackers" || k === "fuzzer"), []);
    assert.deepEqual(invariant(/app\.close/).filter((i) => !i.ok), []);
  });
});

describe("hostile input against the default limits", () => {
  let h: Harness;
  const victims: Partial<Record<Transport, Victim>> = {};
  before(async () => {
    h = await Harness.start();
    for (const t of ["websocket", "sse", "http"] as const) victims[t] = await Victim.open(h.base, t);
  });
  after(async () => {
    await Promise.all(Object.values(victims).map((v) => v.close()));
    await h.stop();
  });

  it("answers a WebSocket flood with E_RATE_LIMIT, then closes the socket with 4429", async () => {
    const a = await Attacker.open(h.base, "websocket", h.report);
    await Promise.all(Array.from({ length: 1_000 }, () => a.sendFrame('{"t":"h"}', false)));
    for (let i = 0; i < 50 && !a.dead; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok((h.report.frameCodes.E_RATE_LIMIT ?? 0) > 0, JSON.stringify(h.report.frameCodes));
    assert.equal(h.report.closes["websocket 4429"], 1, JSON.stringify(h.report.closes));
    assert.equal(h.report.failureCount, 0, h.report.summary());
  });

  for (const t of ["sse", "http"] as const) {
    it(`answers ${t} batches beyond the burst with E_RATE_LIMIT frames, not errors`, async () => {
      const a = await Attacker.open(h.base, t, h.report);
      const before = h.report.frameCodes.E_RATE_LIMIT ?? 0;
      for (let i = 0; i < 2; i++) {
        const res = await a.post(`[${Array(256).fill('{"t":"h"}').join(",")}]`, "application/json", false, 10_000);
        assert.ok(res.status === 204 || res.status === 200, `${res.status}`);
        const text = await res.text();
        if (t === "http") a.accept(text);
      }
      for (let i = 0; i < 50 && (h.report.frameCodes.E_RATE_LIMIT ?? 0) === before; i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok((h.report.frameCodes.E_RATE_LIMIT ?? 0) > before, JSON.stringify(h.report.frameCodes));
      assert.equal(h.report.failureCount, 0, h.report.summary());
      await a.close();
    });
  }

  it("refuses an event payload nested 10,000 levels deep with a code, before any handler runs", async () => {
    const a = await Attacker.open(h.base, "websocket", h.report);
    const before = { ...h.report.frameCodes };
    for (const shape of ["array", "object"] as const) {
      await a.sendFrame(`{"t":"e","v":1,"r":1000,"e":"add","d":{"by":${deepText(10_000, shape)}}}`, false);
    }
    assert.equal(await a.roundTrip(5_000), true);
    const refused = Object.entries(h.report.frameCodes).filter(([c, n]) => n > (before[c] ?? 0)).map(([c]) => c);
    assert.ok(refused.length > 0 && refused.every((c) => c === "E_BAD_FRAME" || c === "E_INVALID" || c === "E_TOO_LARGE"), JSON.stringify(refused));
    assert.deepEqual(h.report.appErrors, []);
    await a.close();
  });

  for (const t of ["sse", "http"] as const) {
    it(`answers the ${t} victim's link id without the victim's cookie with 404 E_UNKNOWN_LINK`, async () => {
      const a = await Attacker.open(h.base, t, h.report);
      const link = victims[t]!.linkId!;
      const url = `${h.base}${t === "sse" ? PATHS.sse : PATHS.http}?l=${link}${t === "http" ? "&n=0" : ""}`;
      const cookies = { none: undefined, attacker: a.cookie, forged: `${a.cookie.split("=")[0]}=AAAAAAAAAAAAAAAAAAAAAA` };
      for (const [who, cookie] of Object.entries(cookies)) {
        for (const method of ["GET", "POST"]) {
          const headers: Record<string, string> = { "content-type": "application/json" };
          if (cookie !== undefined) headers.cookie = cookie;
          const body = method === "POST" ? `[{"t":"e","v":${VICTIM_VIEW},"r":999999,"e":"inc","d":{}},{"t":"l","v":${VICTIM_VIEW}}]` : undefined;
          const res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(5_000) });
          const stream = res.headers.get("content-type")?.startsWith("text/event-stream") === true;
          const text = stream ? "(an event stream)" : await res.text();
          if (stream) await res.body?.cancel();
          const code = stream ? undefined : (JSON.parse(text) as { error?: { code?: string } }).error?.code;
          assert.deepEqual([res.status, code], [404, "E_UNKNOWN_LINK"], `${method} with cookie ${who}: ${res.status} ${text}`);
        }
      }
      assert.equal(await victims[t]!.check(), undefined);
      await a.close();
    });
  }

  it("leaves the victims untouched and records no uncaught exception", async () => {
    for (const v of Object.values(victims)) assert.equal(await v.check(), undefined, v.transport);
    assert.deepEqual([...h.report.uncaught, ...h.report.unhandled], []);
    assert.deepEqual(h.report.appErrors, []);
  });
});
