/**
 * Rendering time grows linearly with a hostile value's length (5 kB against
 * 40 kB), in every
 * context that runs a check over the value (attribute names, URLs, srcset,
 * refresh, comments, raw() URL parts). The old attribute-name filter had
 * nested quantifiers: 26 characters and `=` took 0.7 s, each 2 more ×4.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { html, raw, type Template } from "./html.ts";
import { renderToString } from "./render-tree.ts";

const contexts: [string, (v: string) => Template][] = [
  ["attribute names", (v) => html`<input ${v}>`],
  ["href", (v) => html`<a href="${v}">x</a>`],
  ["href after a prefix", (v) => html`<a href=" java${v}">x</a>`],
  ["srcset", (v) => html`<img srcset="${v}">`],
  ["meta refresh", (v) => html`<meta content="0;url=${v}">`],
  ["whole srcset", (v) => html`<img srcset=${v}>`],
  ["comment", (v) => html`<!-- ${v} -->`],
  ["raw() in a URL", (v) => html`<a href="${raw(v)}${"x"}">x</a>`],
];

const shapes: [string, (n: number) => string][] = [
  ["names then =", (n) => "a".repeat(n) + "="],
  ["spaced names then =", (n) => "a ".repeat(n / 2) + "="],
  ["names then NUL", (n) => "ab ".repeat(n / 3) + "\u0000"],
  ["commas and parens", (n) => ",(".repeat(n / 2) + "javascript:x"],
  ["ampersands", (n) => "&#".repeat(n / 2) + "x"],
  ["named-reference prefixes", (n) => "&NewLin".repeat(n / 7)],
  ["controls", (n) => "\u0001\t".repeat(n / 2) + ":"],
  ["dashes", (n) => "-".repeat(n) + "!>"],
];

/** Best of 5 runs of `reps` renders, ms (a shared machine preempts some runs). */
function time(make: () => Template, reps: number): number {
  let best = Infinity;
  for (let run = 0; run < 5; run++) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) {
      try { renderToString(make()); } catch { /* refusals are answers too */ }
    }
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

describe("renderTree: hostile value length", () => {
  for (const [name, make] of contexts) {
    it(`renders ${name} in time linear in the value's length`, () => {
      for (const [shape, value] of shapes) {
        const small = value(5_000);
        const large = value(40_000);
        // Measured up to 3 times: a loaded machine can preempt one pair of
        // runs, but quadratic code misses the bound every time.
        let a = 0;
        let b = 0;
        for (let attempt = 0; attempt < 3; attempt++) {
          a = time(() => make(small), 10);
          b = time(() => make(large), 10);
          if (b < 24 * a + 5) break;
        }
        // Coarse: linear code renders 40 kB in milliseconds; the old filter would
        // not finish 10 kB in the lifetime of the machine. 8× the length takes
        // about 8× the time when linear and 64× when quadratic: 24× splits them
        // with room for a noisy machine.
        assert.ok(b < 4_000, `${shape}: 40 kB × 10 took ${b.toFixed(1)} ms`);
        assert.ok(b < 24 * a + 5, `${shape}: 40 kB took ${b.toFixed(2)} ms, 5 kB ${a.toFixed(2)} ms`);
      }
    });
  }
});
