import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import { HeaderSecret, KEY_HEADER } from "./shared-key.ts";

const req = (headers: Record<string, string | string[]>) => ({ headers }) as unknown as IncomingMessage;
const KEY = "shared-key-0123456789";

describe("HeaderSecret", () => {
  it("admits every request when no secret is set", () => {
    const s = new HeaderSecret(KEY_HEADER, undefined);
    assert.equal(s.required, false);
    assert.equal(s.admits(req({})), true);
  });

  it("admits only the exact key: not a prefix, an extension, another case or a repeated header", () => {
    const s = new HeaderSecret(KEY_HEADER, KEY);
    assert.equal(s.admits(req({ [KEY_HEADER]: KEY })), true);
    for (const got of ["", KEY.slice(0, -1), `${KEY}x`, KEY.toUpperCase(), ` ${KEY}`, `${KEY}, ${KEY}`]) {
      assert.equal(s.admits(req({ [KEY_HEADER]: got })), false, JSON.stringify(got));
    }
    assert.equal(s.admits(req({})), false);
    assert.equal(s.admits(req({ [KEY_HEADER]: [KEY, KEY] })), false);
  });

  it("reads a bearer token after its scheme, the scheme in any case", () => {
    const s = new HeaderSecret("authorization", KEY, "Bearer");
    assert.equal(s.admits(req({ authorization: `Bearer ${KEY}` })), true);
    assert.equal(s.admits(req({ authorization: `bearer ${KEY}` })), true);
    for (const got of [KEY, `Basic ${KEY}`, "Bearer ", `Bearer  ${KEY}`, `Bearer${KEY}`]) {
      assert.equal(s.admits(req({ authorization: got })), false, got);
    }
  });
});
