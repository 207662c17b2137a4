import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ERRORS, type ErrorCode } from "../protocol/errors.ts";
import { CLIENT_MESSAGES, reportError, type WeftErrorDetail } from "./dom-events.ts";

/** The detail of the one `weft:error` that `report` dispatches. */
function reported(report: (target: EventTarget) => void): WeftErrorDetail {
  const target = new EventTarget();
  const seen: WeftErrorDetail[] = [];
  target.addEventListener("weft:error", (e) => seen.push((e as CustomEvent<WeftErrorDetail>).detail));
  report(target);
  assert.equal(seen.length, 1);
  return seen[0]!;
}

describe("reportError", () => {
  it("keeps the client's own messages equal to the registry's", () => {
    for (const [code, message] of Object.entries(CLIENT_MESSAGES)) assert.equal(message, ERRORS[code as ErrorCode].message, code);
  });

  it("gives the client's own codes raised without a message their registry message", () => {
    for (const code of ["E_CLIENT_TRANSPORT", "E_CLIENT_PATCH"] as const) {
      assert.equal(reported((t) => reportError(t, code)).message, ERRORS[code].message);
    }
    // Server codes come with the server's message; without one (rare) they read as the code.
    assert.equal(reported((t) => reportError(t, "E_BAD_FRAME")).message, "E_BAD_FRAME");
  });

  it("keeps a message it is given, and reads any other code without one as the code", () => {
    assert.deepEqual(reported((t) => reportError(t, "E_HANDLER", "boom", 4, 2)), { code: "E_HANDLER", message: "boom", ref: 4, view: 2 });
    assert.equal(reported((t) => reportError(t, "E_SOMETHING")).message, "E_SOMETHING");
    for (const code of ["constructor", "__proto__", "toString"]) assert.equal(reported((t) => reportError(t, code)).message, code);
  });
});
