import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolveOptions } from "../options.ts";
import { html } from "../template/html.ts";
import { defineView } from "../view.ts";
import { mountView } from "../../testing/index.ts";
import { until } from "../../../test/support/until.ts";
import type { AsyncReports } from "./report.ts";

const View = defineView({ mount: () => ({}), render: () => html`<p>x</p>` });
const base = { views: { "/": View }, secret: "async-options-secret-0123456789" };

describe("handlerTimeoutMs and maxQueuedPerSession", () => {
  it("have finite defaults: 10 s and 64", () => {
    const o = resolveOptions(base);
    assert.equal(o.handlerTimeoutMs, 10_000);
    assert.equal(o.maxQueuedPerSession, 64);
    assert.equal(resolveOptions({ ...base, handlerTimeoutMs: 250, maxQueuedPerSession: 5 }).maxQueuedPerSession, 5);
  });

  it("refuse values that switch them off or a timer cannot hold", () => {
    assert.throws(() => resolveOptions({ ...base, handlerTimeoutMs: 0 }), /`handlerTimeoutMs` must be a positive number/);
    assert.throws(() => resolveOptions({ ...base, handlerTimeoutMs: 2 ** 31 }), /`handlerTimeoutMs` must be at most 2147483647 ms/);
    assert.throws(() => resolveOptions({ ...base, maxQueuedPerSession: 0 }), /`maxQueuedPerSession` must be a whole number ≥ 1/);
    assert.throws(() => resolveOptions({ ...base, maxQueuedPerSession: 2.5 }), /`maxQueuedPerSession` must be a whole number ≥ 1/);
    assert.throws(() => resolveOptions({ ...base, maxQueuedPerSesion: 5 } as never), /maxQueuedPerSession/, "a typo gets a did-you-mean");
  });

  it("checks an event's timeoutMs at defineView", () => {
    const render = () => html`<p>x</p>`;
    assert.doesNotThrow(() => defineView({ mount: () => ({}), render, events: { a: { run: async () => {}, timeoutMs: 500 } } }));
    for (const bad of [0, -1, "5", 2 ** 31, Number.NaN]) {
      assert.throws(() => defineView({ mount: () => ({}), render, events: { a: { run: async () => {}, timeoutMs: bad as number } } }), /timeoutMs\?: ms > 0/, String(bad));
    }
  });
});

describe("tasks under the test kit", () => {
  it("run for real in a mounted view: the test waits for the state it expects", async () => {
    const Jobs = defineView<{ async?: AsyncReports }>({
      mount: () => ({}),
      events: { go: (_s, _p, ctx) => ctx.startAsync("job", async ({ progress }) => (progress(50), { rows: 2 })) },
      render: (s) => html`<p id="s">${s.async?.job?.status ?? "idle"} ${JSON.stringify(s.async?.job?.result ?? null)}</p>`,
    });
    const v = await mountView(Jobs);
    await v.event("go");
    await until(() => v.text("#s") === 'ok {"rows":2}', 5_000, "the task's result");
  });
});
