// The demo's profile page (forms), tested with weft-live/testing.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mountView } from "../../../src/testing/index.ts";
import { Profile } from "./profile.ts";

describe("demo: Profile", () => {
  it("previews the bound display name and refuses one over 40 characters", async () => {
    const v = await mountView(Profile);
    assert.equal(v.text("#preview"), "Hello, stranger");
    await v.model("#name", "  Ann ");
    await v.model("#newsletter", true);
    assert.equal(v.text("#preview"), "Hello, Ann — subscribed");
    await v.model("#name", "x".repeat(41));
    assert.equal(v.errors.at(-1)?.code, "E_INVALID");
    assert.equal(v.text("#preview"), "Hello, Ann — subscribed");
  });

  it("likes, and refuses every third like (the page rolls the optimistic change back)", async () => {
    const v = await mountView(Profile);
    await v.click("#like");
    assert.equal(v.text("#like"), "♥ Liked (13)");
    assert.equal(v.attr("#like", "aria-pressed"), "true");
    assert.equal(v.attr("#like", "weft-optimistic-text"), "♡ Like (12)");
    await v.click("#like");
    assert.equal(v.text("#like"), "♡ Like (12)");
    await v.click("#like");
    assert.equal(v.text("#like"), "♡ Like (12)", "the third is refused");
    assert.match(v.text("#like-note"), /refused/);
  });

  it("deletes a link (after the browser's confirmation) and saves or recovers the form", async () => {
    const v = await mountView(Profile);
    assert.equal(v.attr("#links button", "weft-confirm"), "Delete https://example.com/ann?");
    await v.click("#links button");
    assert.equal(v.count("#links li"), 1);
    await v.submit("#about", { city: "Lyon", bio: "Hi" });
    assert.equal(v.text("#saved"), "Saved.");
    await v.event("recover", { city: "Oslo", bio: "typed before the restart" });
    assert.equal(v.attr("[name=city]", "value"), "Oslo");
    assert.match(v.text("#saved"), /Recovered/);
  });
});
