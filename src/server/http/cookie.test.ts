import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import { cookieValue } from "./cookie.ts";

const req = (cookie: string | undefined) => ({ headers: cookie === undefined ? {} : { cookie } }) as IncomingMessage;

describe("cookieValue", () => {
  it("reads the first cookie of that name, trimmed, = signs in the value kept", () => {
    assert.equal(cookieValue(req("a=1; weft_link=abc ;weft_link=later"), "weft_link"), "abc");
    assert.equal(cookieValue(req("weft_flash=x.y=="), "weft_flash"), "x.y==");
    assert.equal(cookieValue(req("weft_htmx="), "weft_htmx"), "");
  });

  it("is undefined without the header, without that name, or for a name that only ends or starts like it", () => {
    assert.equal(cookieValue(req(undefined), "a"), undefined);
    assert.equal(cookieValue(req("b=1"), "a"), undefined);
    assert.equal(cookieValue(req("xweft_link=1; weft_links=2; weft_link"), "weft_link"), undefined);
    assert.equal(cookieValue(req("=weft_link"), "weft_link"), undefined);
  });
});
