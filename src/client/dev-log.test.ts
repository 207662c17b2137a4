import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { devLine, logErrors } from "./dev-log.ts";

describe("devLine", () => {
  it("gives the code, the message, the view and ref, and a hint", () => {
    assert.equal(
      devLine({ code: "E_TOO_LARGE", message: "the message is 70000 bytes", ref: 3, view: 1 }),
      "weft E_TOO_LARGE: the message is 70000 bytes (view 1, ref 3) — hint: send less, or raise the server's maxMessageBytes",
    );
  });

  it("leaves out what it does not know", () => {
    assert.equal(devLine({ code: "E_SOMETHING", message: "odd", ref: undefined, view: undefined }), "weft E_SOMETHING: odd");
  });
});

describe("logErrors", () => {
  it("logs each weft:error, and passes over one a page script dispatched with a detail that is not an object", (t) => {
    const doc = new EventTarget();
    const logged = t.mock.method(console, "error", () => {});
    logErrors(doc as unknown as Document);
    for (const detail of [null, 5, "E_X", undefined]) doc.dispatchEvent(new CustomEvent("weft:error", { detail }));
    assert.equal(logged.mock.callCount(), 0);
    doc.dispatchEvent(new CustomEvent("weft:error", { detail: { code: "E_INVALID", message: "bad", ref: 2, view: 1 } }));
    assert.deepEqual(logged.mock.calls.map((c) => c.arguments[0]), ["weft E_INVALID: bad (view 1, ref 2) — hint: the payload does not match the handler's schema"]);
  });
});
