import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { devLine } from "./dev-log.ts";

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
