import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultIdentity, sameIdentity } from "./identity.ts";

describe("rejoin identity", () => {
  it("compares session.id when present, ignoring the rest (a refreshed timestamp)", () => {
    assert.equal(sameIdentity(defaultIdentity, { id: "u1", at: 1 }, { id: "u1", at: 2 }), true);
    assert.equal(sameIdentity(defaultIdentity, { id: 7, name: "a" }, { name: "b", id: 7 }), true);
    assert.equal(sameIdentity(defaultIdentity, { id: "u1" }, { id: "u2" }), false);
    assert.equal(sameIdentity(defaultIdentity, { id: 1 }, { id: "1" }), false, "a number and a string differ");
  });

  it("compares the whole session structurally when there is no id: key order never matters, values do", () => {
    assert.equal(sameIdentity(defaultIdentity, { user: "ada", roles: { admin: true, dev: false } }, { roles: { dev: false, admin: true }, user: "ada" }), true);
    assert.equal(sameIdentity(defaultIdentity, { user: "ada", at: 1 }, { user: "ada", at: 2 }), false);
    assert.equal(sameIdentity(defaultIdentity, { user: "ada" }, { user: "ada", extra: undefined }), true, "an undefined key is no key (as in JSON)");
    assert.equal(sameIdentity(defaultIdentity, { list: [1, 2] }, { list: [2, 1] }), false, "array order matters");
    assert.equal(sameIdentity(defaultIdentity, {}, {}), true);
  });

  it("uses the identity option when given", () => {
    const byUser = (s: Record<string, unknown>) => s.userId;
    assert.equal(sameIdentity(byUser, { userId: "a", id: 1 }, { userId: "a", id: 2 }), true);
    assert.equal(sameIdentity(byUser, { userId: "a" }, { userId: "b" }), false);
    assert.equal(sameIdentity(byUser, {}, {}), true, "no identity on either side: the same anonymous user");
  });
});
