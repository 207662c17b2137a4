/**
 * What the fuzzer found, each reduced to one request. These stay as tests so
 * the fix is proven and kept: each states the behaviour the server must have.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isErrorCode } from "../../src/protocol/errors.ts";
import { PATHS } from "../../src/protocol/messages.ts";
import { newLinkId } from "../support/wires.ts";
import { Attacker } from "./attacker.ts";
import { Harness } from "./harness.ts";
import { rawRequest } from "./raw-http.ts";
import { freshClientWorks } from "./victim.ts";

const HANDSHAKE = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
/** Request targets Node's parser accepts but `new URL(target, base)` throws on. */
const BAD_TARGETS = ["http://[", "//[::1", "http://%zz/", "http://a:b:c/", "http://localhost:99999/x"];

describe("requests whose target is not a URL", () => {
  for (const target of BAD_TARGETS) {
    it(`answers a WebSocket handshake to ${target} with a 4xx and stays up`, async () => {
      const h = await Harness.start();
      try {
        const r = await rawRequest(h.base, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${HANDSHAKE}\r\n`, 2_000);
        assert.match(r.status ?? "no answer within 2 s", /^4\d\d$/, r.text);
        assert.deepEqual(h.report.uncaught, [], "the upgrade listener threw: in production this ends the process");
        assert.equal(await freshClientWorks(h.base, "websocket"), undefined);
      } finally {
        assert.equal(await h.stop(2_000), true, "app.close() resolves after the refused handshake");
      }
    });

    it(`answers a GET of ${target} with a registered 4xx, not 500 E_INTERNAL`, async () => {
      const h = await Harness.start();
      try {
        const r = await rawRequest(h.base, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`, 2_000);
        assert.match(r.status ?? "no answer", /^4\d\d$/, r.text);
        assert.ok(r.code !== undefined && isErrorCode(r.code), r.text);
        assert.deepEqual(h.report.appErrors, []);
      } finally {
        await h.stop();
      }
    });
  }
});

describe("CORS preflights", () => {
  let h: Harness;
  before(async () => (h = await Harness.start()));
  after(() => h.stop());

  for (const path of [PATHS.sse, PATHS.http]) {
    it(`answers a preflight to ${path} from a foreign origin with 403 and a JSON E_ORIGIN body`, async () => {
      const res = await fetch(`${h.base}${path}?l=${newLinkId()}&n=0`, {
        method: "OPTIONS",
        headers: { origin: "http://evil.example", "access-control-request-method": "POST" },
        signal: AbortSignal.timeout(5_000),
      });
      const text = await res.text();
      assert.equal(res.status, 403);
      assert.deepEqual(text === "" ? "(empty body)" : (JSON.parse(text) as { error?: { code?: string } }).error?.code, "E_ORIGIN");
    });
  }
});

describe("HTTP POSTs whose frames are refused", () => {
  let h: Harness;
  before(async () => (h = await Harness.start()));
  after(() => h.stop());

  // A frame with a numeric `v` that is not a view id (0, -1, 1.5, 1e308, 2^31) is
  // refused at once with an error that carries no `v`; the POST then waited for
  // an answer "for view 0" that never comes, httpAnswerWaitMs (10 s) — and the
  // browser's client sends one POST at a time, so its next events wait too.
  for (const frame of ['{"t":"e","v":0,"r":1,"e":"inc","d":{}}', '{"t":"e","v":1.5,"r":1,"e":"inc","d":{}}', '{"t":"j","v":-1,"d":{"k":"x"}}', '{"t":"e","v":1e308,"r":1,"e":"inc","d":{}}']) {
    it(`answers a POST of [${frame}] at once, not after httpAnswerWaitMs`, async () => {
      const a = await Attacker.open(h.base, "http", h.report);
      const started = Date.now();
      try {
        const res = await a.post(`[${frame}]`, "application/json", false, 3_000);
        assert.equal(res.status, 200);
        await res.text();
      } catch (err) {
        assert.fail(`no answer within 3 s (${(err as Error).name}); the server waits httpAnswerWaitMs for an answer it already gave`);
      } finally {
        await a.close();
      }
      assert.ok(Date.now() - started < 1_000, `answered after ${Date.now() - started} ms`);
    });
  }
});
