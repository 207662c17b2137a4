import assert from "node:assert/strict";
import { resolve } from "node:path";
import { describe, it } from "node:test";
import { devMode, hotOptions } from "./hot-options.ts";

describe("the dev option's hot reload settings", () => {
  it("asks for hot reload only with an explicit true or object", () => {
    assert.equal(hotOptions(undefined), undefined);
    assert.equal(hotOptions(false), undefined);
    assert.equal(hotOptions({ watch: false }), undefined);
    assert.deepEqual(hotOptions(true), { watch: undefined, css: [], debounceMs: 50 });
    assert.deepEqual(hotOptions({ watch: ["views"], css: ["a.css"], debounceMs: 0 }), { watch: [resolve("views")], css: [resolve("a.css")], debounceMs: 0 });
  });

  it("keeps development mode's default (NODE_ENV) apart from hot reload", () => {
    const env = process.env.NODE_ENV;
    try {
      process.env.NODE_ENV = "production";
      assert.equal(devMode(undefined), false);
      delete process.env.NODE_ENV;
      assert.equal(devMode(undefined), true);
      assert.equal(devMode(false), false);
      assert.equal(devMode({ watch: false }), true);
    } finally {
      if (env === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = env;
    }
  });

  it("refuses values of the wrong shape with the option's name", () => {
    assert.throws(() => hotOptions("yes"), /`dev` must be true, false or \{ watch\?, css\?, debounceMs\? \}/);
    assert.throws(() => hotOptions([]), /`dev` must be/);
    assert.throws(() => hotOptions({ wach: [] }), /unknown key `wach` — did you mean `watch`\?/);
    assert.throws(() => hotOptions({ watch: "views" }), /`dev.watch` must be a list of paths/);
    assert.throws(() => hotOptions({ css: [""] }), /`dev.css` must be a list of paths/);
    assert.throws(() => hotOptions({ debounceMs: -1 }), /`dev.debounceMs` must be a number of ms from 0 to 10000/);
    assert.throws(() => hotOptions({ debounceMs: Number.NaN }), /debounceMs/);
  });
});
