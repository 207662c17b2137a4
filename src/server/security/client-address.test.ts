import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { limitKey, normalize } from "./client-address.ts";

describe("limit keys", () => {
  it("keeps IPv4 addresses whole", () => {
    assert.equal(limitKey("203.0.113.7"), "203.0.113.7");
    assert.equal(limitKey(normalize("::ffff:203.0.113.7")), "203.0.113.7");
  });

  it("groups IPv6 addresses by their /64 however they are spelled", () => {
    const key = "2001:db8:1:2::/64";
    for (const a of ["2001:db8:1:2::1", "2001:0db8:0001:0002:ffff:ffff:ffff:ffff", "2001:db8:1:2:0:0:0:0", normalize("[2001:DB8:1:2::abcd]"), "2001:db8:1:2::1.2.3.4"]) {
      assert.equal(limitKey(a), key, a);
    }
    assert.notEqual(limitKey("2001:db8:1:3::1"), key);
    assert.equal(limitKey("::1"), "0:0:0:0::/64");
    assert.equal(limitKey("::"), "0:0:0:0::/64");
    assert.equal(limitKey("2001:db8::"), "2001:db8:0:0::/64");
    assert.equal(limitKey("64:ff9b::1.2.3.4"), "64:ff9b:0:0::/64");
    assert.equal(limitKey("1:2:3:4:5:6:1.2.3.4"), "1:2:3:4::/64");
  });
});
